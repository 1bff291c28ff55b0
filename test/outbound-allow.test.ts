/**
 * `--outboundAllow` (docs/outbound.md §1) at the HTTP boundary: a hooks route forwards
 * to `app.http.send`, which by default refuses a receiver on loopback; the allowed
 * ranges open exactly themselves (IPv4 and IPv6), and nothing next to them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthApp } from '../src/app/plinth-app.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** A receiver that answers every request with 200 "received". */
async function startReceiver(host: string): Promise<{ server: Server; url: string } | undefined> {
  const server = createServer((_req, res) => res.end('received'));
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, host, () => resolve(true));
  });
  if (!listening) return undefined;
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/hook` };
}

/** A route that sends to the URL it is given and answers what came back, or the refusal. */
function forwarder(app: PlinthApp): void {
  app.routerAdd('POST', '/api/test/forward', async (e) => {
    const { url } = (await e.bindBody()) as { url: string };
    const reply = await app.http.send({ url, method: 'POST', body: { event: 'test' }, timeout: 5 });
    return e.json(200, { status: reply.statusCode, text: reply.text });
  });
}

let v4: { server: Server; url: string };
let v6: { server: Server; url: string } | undefined;
const servers: TestServer[] = [];

async function serverAllowing(outboundAllow?: string[]): Promise<TestServer> {
  const s = await startTestServer(outboundAllow ? { outboundAllow } : {}, { plugins: [forwarder] });
  servers.push(s);
  return s;
}

async function forward(s: TestServer, url: string) {
  return s.request('POST', '/api/test/forward', { body: { url } });
}

beforeAll(async () => {
  v4 = (await startReceiver('127.0.0.1'))!;
  v6 = await startReceiver('::1');
  if (!v6) console.log('[skip] no IPv6 loopback (::1): the IPv6 case is skipped');
});

afterAll(async () => {
  for (const s of servers) await s.close();
  for (const r of [v4, v6]) if (r) await new Promise((resolve) => r.server.close(resolve));
});

describe('outbound requests and --outboundAllow', () => {
  it('refuses a loopback receiver by default, naming why (400)', async () => {
    const s = await serverAllowing();
    const res = await forward(s, v4.url);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('refused scheme http:');
    const https = await forward(s, v4.url.replace('http:', 'https:'));
    expect(https.status).toBe(400);
    expect(https.body.message).toContain('127.0.0.1: loopback');
  });

  it('reaches the receiver over plain http when its range is allowed', async () => {
    const s = await serverAllowing(['127.0.0.0/8']);
    const res = await forward(s, v4.url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, text: 'received' });
  });

  it('does not leak to neighbouring ranges: 10.0.0.0/8 allowed is not 127.0.0.1, nor ::1', async () => {
    const s = await serverAllowing(['10.0.0.0/8']);
    const res = await forward(s, v4.url);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('127.0.0.1: loopback');
    if (v6) expect((await forward(s, v6.url)).body.message).toContain('::1: loopback');
  });

  it('allows IPv6 ranges: ::1/128 reaches [::1] and not 127.0.0.1', async () => {
    if (!v6) return;
    const s = await serverAllowing(['::1/128']);
    expect((await forward(s, v6.url)).body).toEqual({ status: 200, text: 'received' });
    const v4res = await forward(s, v4.url);
    expect(v4res.status).toBe(400);
    expect(v4res.body.message).toContain('127.0.0.1: loopback');
  });
});

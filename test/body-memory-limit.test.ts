/**
 * The node-wide budget of request-body bytes in memory (issue 10 item 7): past
 * `bodyMemoryLimit`, a body gets a prompt 503 (before it is read when its length is
 * declared), a lone body larger than the budget still goes through, and bytes are
 * returned to the budget when requests end.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let name: string;
const MiB = 1 << 20;

beforeAll(async () => {
  s = await startTestServer({ bodyMemoryLimit: 8 * MiB });
  name = uniqueName('uploads');
  await createCollection(s, { name, listRule: '', viewRule: '', createRule: '', fields: [{ name: 'doc', type: 'file', maxSelect: 1, maxSize: 20 * MiB }] });
});
afterAll(async () => { await s?.close(); });

/**
 * A multipart body with one file part of `size` bytes, or with one text part (held in
 * memory: file parts are written to disk).
 */
function upload(size: number, text = false): { body: Buffer; type: string } {
  const boundary = 'plinthboundary' + Math.random().toString(36).slice(2);
  const disposition = text ? 'name="note"' : 'name="doc"; filename="big.bin"\r\nContent-Type: application/octet-stream';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, Buffer.alloc(size, 0x61), tail]), type: `multipart/form-data; boundary=${boundary}` };
}

interface Sending {
  req: ClientRequest;
  /** The answer (status and parsed body); rejects only on unexpected socket errors. */
  answer: Promise<{ status: number; body: any }>;
}

/** Starts a POST of `body`, declared (or chunked), sending only its first `sendFirst` bytes. */
function start(body: Buffer, type: string, sendFirst: number, chunked = false): Sending {
  const url = new URL(s.url);
  const headers: Record<string, string> = { 'Content-Type': type };
  if (!chunked) headers['Content-Length'] = String(body.length);
  const req = httpRequest({ host: url.hostname, port: url.port, path: `/api/collections/${name}/records`, method: 'POST', headers });
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
  });
  for (let at = 0; at < sendFirst; at += 256 << 10) req.write(body.subarray(at, Math.min(sendFirst, at + (256 << 10))));
  return { req, answer };
}

/** Sends the rest of a started body. */
function finish(sending: Sending, body: Buffer, from: number): void {
  sending.req.end(body.subarray(from));
}

/** Resolves with the answer if one arrives within 5 s, else null. */
function within5s<T>(p: Promise<T>): Promise<T | null> {
  return Promise.race([p, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
}

describe('the budget of body bytes in memory', () => {
  it('answers 503 at once to a declared body that does not fit while another is held', async () => {
    const a = upload(6 * MiB, true);
    const held = start(a.body, a.type, 3 * MiB);
    await new Promise((r) => setTimeout(r, 300));
    const b = upload(6 * MiB, true);
    const refused = start(b.body, b.type, 64 << 10);
    const answer = await within5s(refused.answer);
    expect(answer, 'no answer before the body was sent').not.toBeNull();
    expect(answer!.status).toBe(503);
    expect(answer!.body).toEqual({ status: 503, message: 'Service temporarily unavailable.', data: {} });
    refused.req.destroy();
    // The held upload completes.
    finish(held, a.body, 3 * MiB);
    expect((await held.answer).status).toBe(200);
  });

  it('answers 503 to a chunked body once it passes the budget while another is held', async () => {
    const a = upload(6 * MiB, true);
    const held = start(a.body, a.type, 3 * MiB);
    await new Promise((r) => setTimeout(r, 300));
    const b = upload(7 * MiB, true);
    const refused = start(b.body, b.type, 7 * MiB, true);
    const answer = await within5s(refused.answer);
    expect(answer?.status).toBe(503);
    refused.req.destroy();
    finish(held, a.body, 3 * MiB);
    expect((await held.answer).status).toBe(200);
  });

  it('does not charge uploaded file bytes, which go to disk: two uploads larger than the budget together both go through', async () => {
    const a = upload(6 * MiB);
    const held = start(a.body, a.type, 5 * MiB);
    await new Promise((r) => setTimeout(r, 300));
    const b = upload(6 * MiB);
    const other = start(b.body, b.type, 0);
    finish(other, b.body, 0);
    const answer = await within5s(other.answer);
    // With the file held in memory, the 5 MiB sent plus 6 MiB declared pass the 8 MiB budget: 503.
    expect(answer?.status).toBe(200);
    finish(held, a.body, 5 * MiB);
    expect((await held.answer).status).toBe(200);
  });

  it('lets a lone body larger than the budget through, and returns every byte to the budget', async () => {
    const big = upload(12 * MiB);
    const lone = start(big.body, big.type, 0);
    finish(lone, big.body, 0);
    expect((await lone.answer).status).toBe(200);
    // After everything above ended, two 3 MiB uploads at once both fit.
    const x = upload(3 * MiB);
    const y = upload(3 * MiB);
    const both = [start(x.body, x.type, 0), start(y.body, y.type, 0)];
    finish(both[0]!, x.body, 0);
    finish(both[1]!, y.body, 0);
    expect((await Promise.all(both.map((t) => t.answer))).map((r) => r.status)).toEqual([200, 200]);
  });
});

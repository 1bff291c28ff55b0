/**
 * Connection limits (issue 10 item 8c): one client address holds at most
 * `connectionsPerIp` open connections, the (cap+1)th gets a 429 and is closed, a
 * trusted proxy is never capped, and freed slots can be used again.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await s?.close();
  s = undefined;
});

/** Opens a connection and resolves once it is established. */
function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

/** Sends one GET /api/health on `socket` and resolves with the status line. */
function health(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text.split('\r\n')[0]!);
      }
    };
    socket.on('data', onData);
    socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

/** What a connection receives before the server closes it (within 5 s), or null if it stays open. */
function refusal(socket: Socket): Promise<string | null> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve(null), 5000);
    socket.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

describe('connections per client address', () => {
  it('refuses the (cap+1)th connection from one address with a 429, and takes new ones once others close', async () => {
    s = await startTestServer({ connectionsPerIp: 5 });
    const held = await Promise.all(Array.from({ length: 5 }, () => open(s!.url)));
    for (const socket of held) expect(await health(socket)).toBe('HTTP/1.1 200 OK');
    const extra = await open(s.url);
    const answer = await refusal(extra);
    expect(answer).not.toBeNull();
    expect(answer).toContain('HTTP/1.1 429');
    expect(answer).toContain('"status":429');
    // The held connections still work.
    expect(await health(held[0]!)).toBe('HTTP/1.1 200 OK');
    // One closes: its slot is free again.
    held[1]!.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await open(s.url);
    expect(await health(again)).toBe('HTTP/1.1 200 OK');
  });

  it('does not cap a trusted proxy, through which every client connects', async () => {
    s = await startTestServer({ connectionsPerIp: 2, trustedProxies: ['127.0.0.1'] });
    const held = await Promise.all(Array.from({ length: 6 }, () => open(s!.url)));
    for (const socket of held) expect(await health(socket)).toBe('HTTP/1.1 200 OK');
  });

  it('has no cap with connectionsPerIp 0', async () => {
    s = await startTestServer({ connectionsPerIp: 0 });
    const held = await Promise.all(Array.from({ length: 20 }, () => open(s!.url)));
    for (const socket of held) expect(await health(socket)).toBe('HTTP/1.1 200 OK');
  });
});

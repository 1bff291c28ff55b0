/**
 * The stdout side of request logs (docs/operations.md §Logs): one pino JSON access
 * line per request at info, carrying the request id also sent as `X-Request-Id` and
 * the URL with its secrets redacted; none at `--logLevel=warn`.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A server logging at `level` into the returned lines. */
async function serverLoggingAt(level: string): Promise<{ s: TestServer; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = await startTestServer({ logLevel: level as 'info' }, { logger: { level, stream } });
  return { s: server, lines };
}

describe('the access line', () => {
  it('is one info line per request with the request id and a redacted URL', async () => {
    const started = await serverLoggingAt('info');
    s = started.s;
    const res = await s.request('GET', '/api/health?token=abc-secret&x=1');
    const id = res.headers.get('x-request-id');
    await new Promise((r) => setTimeout(r, 50));
    const access = started.lines.filter((l) => l.msg === 'request completed' && String(l.url).startsWith('/api/health'));
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ level: 30, reqId: id, method: 'GET', url: '/api/health?token=[REDACTED]&x=1', statusCode: 200 });
    expect(JSON.stringify(started.lines)).not.toContain('abc-secret');
  });

  it('is off at --logLevel=warn', async () => {
    const started = await serverLoggingAt('warn');
    s = started.s;
    await s.request('GET', '/api/health');
    await new Promise((r) => setTimeout(r, 50));
    expect(started.lines.filter((l) => l.msg === 'request completed')).toEqual([]);
  });
});

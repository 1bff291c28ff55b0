/**
 * Backing services stopped under a running node (issue 5): while Redis or PostgreSQL
 * is unreachable, the requests that need it answer 503 with the spec's error shape
 * (no hung sockets, no 500s), realtime streams are closed so clients reconnect, and
 * the node recovers by itself when the service is back. The service is "stopped" by
 * cutting a TCP proxy the node connects through. Needs PLINTH_TEST_REDIS_URL, and
 * PLINTH_TEST_DATABASE_URL for the PostgreSQL part; skipped with a reason otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, runPlinth } from './helpers/plinth-process.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { redisSkipReason, redisTestUrl, testRedisPrefix } from './helpers/test-redis.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';

const UNAVAILABLE = { status: 503, message: 'Service temporarily unavailable.', data: {} };
/** A request that hangs fails the test here, instead of waiting for the test timeout. */
const GUARD_MS = 8_000;

const redisSkip = redisSkipReason();
const postgresSkip = postgresSkipReason();

describe.skipIf(redisSkip)('Redis stopped under a running node', () => {
  let proxy: TcpProxy;
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    const redis = new URL(redisTestUrl()!);
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const viaProxy = new URL(redis);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    s = await startTestServer({ redisUrl: viaProxy.toString(), redisPrefix: testRedisPrefix() });
    token = await s.adminToken();
    // Guests count against a generous limit, so each of their requests needs Redis.
    const set = await s.request('PATCH', '/api/settings', {
      token, body: { rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: '/api/', audience: '', duration: 60, maxRequests: 100_000 }] } },
    });
    expect(set.status).toBe(200);
    const created = await s.request('POST', '/api/collections', {
      token, body: { name: 'ft_items', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
    });
    expect(created.status).toBe(200);
  });

  afterAll(async () => {
    await s?.close();
    await proxy?.close();
  });

  it('answers 503 quickly while Redis is gone, closes realtime streams, and recovers without a restart', async () => {
    const stream = await openStream(s.url);
    expect((await guest(s, '/api/collections/ft_items/records')).status).toBe(200);

    await proxy.cut();
    await stream.ended;
    for (const path of ['/api/collections/ft_items/records', '/api/health']) {
      const r = await guest(s, path);
      expect({ path, status: r.status, body: r.body }).toEqual({ path, status: 503, body: UNAVAILABLE });
    }
    // What needs no Redis still works: a superuser is not rate limited, the records are in the database.
    const write = await s.request('POST', '/api/collections/ft_items/records', { token, body: { title: 'during the outage' } });
    expect(write.status).toBe(200);

    await proxy.restore();
    await until(async () => (await guest(s, '/api/collections/ft_items/records')).status === 200, 'the node to use Redis again');
    const listed = await guest(s, '/api/collections/ft_items/records');
    expect(listed.body.items.map((r: { title: string }) => r.title)).toEqual(['during the outage']);

    // Realtime works again: the Bus subscription came back with the connection.
    const after = await openStream(s.url);
    const sub = await guest(s, '/api/realtime', { clientId: after.clientId, subscriptions: ['ft_items'] });
    expect(sub.status).toBe(204);
    await s.request('POST', '/api/collections/ft_items/records', { token, body: { title: 'after the outage' } });
    await until(async () => after.text().includes('after the outage'), 'the event of a write after the outage');
    after.abort();
  });
});

describe.skipIf(postgresSkip)('PostgreSQL stopped under a running node', () => {
  let proxy: TcpProxy;
  let database: TestDatabase;
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    s = await startTestServer({ databaseUrl: url.toString() });
    token = await s.adminToken();
    const created = await s.request('POST', '/api/collections', {
      token, body: { name: 'ft_rows', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] },
    });
    expect(created.status).toBe(200);
  });

  afterAll(async () => {
    await s?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('answers 503 quickly while PostgreSQL is gone and recovers without a restart', async () => {
    expect((await guest(s, '/api/collections/ft_rows/records')).status).toBe(200);

    await proxy.cut();
    const scenarios: Array<[string, string, unknown]> = [
      ['GET', '/api/collections/ft_rows/records', undefined],
      ['POST', '/api/collections/ft_rows/records', { title: 'lost' }],
      ['POST', '/api/collections/_superusers/auth-with-password', { identity: 'admin@example.com', password: 'admin-password-123' }],
    ];
    for (const [method, path, body] of scenarios) {
      const r = await guest(s, path, body, method);
      expect({ path, status: r.status, body: r.body }).toEqual({ path, status: 503, body: UNAVAILABLE });
    }
    const schema = await s.request('POST', '/api/collections', { token, body: { name: 'ft_other', type: 'base' } });
    expect(schema.status).toBe(503);

    await proxy.restore();
    await until(async () => (await guest(s, '/api/collections/ft_rows/records')).status === 200, 'the node to use PostgreSQL again');
    expect((await guest(s, '/api/collections/ft_rows/records', { title: 'back' }, 'POST')).status).toBe(200);
  });
});

/** A guest request with a guard against hanging; POSTs when a body is given. */
async function guest(s: TestServer, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<{ status: number; body: any }> {
  const res = await fetch(s.url + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(GUARD_MS),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Opens a raw SSE stream; resolves once PB_CONNECT arrived, with its client id. */
async function openStream(base: string): Promise<{ clientId: string; ended: Promise<void>; text(): string; abort(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/realtime`, { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let connected!: (id: string) => void;
  const clientId = new Promise<string>((resolve) => (connected = resolve));
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        const match = /event:PB_CONNECT\ndata:(\{[^\n]*\})/.exec(text);
        if (match) connected(JSON.parse(match[1]!).clientId);
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return { clientId: await clientId, ended, text: () => text, abort: () => controller.abort() };
}

/** Retries `check` until it holds, failing after 20 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; ; waited += 100) {
    if (await check().catch(() => false)) return;
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('an unreachable Redis at start-up', () => {
  it('stops `plinth serve` with a message naming REDIS_URL and the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-faults-'));
    try {
      const r = await runPlinth(['serve', '--http=127.0.0.1:0', `--dir=${dir}`], childEnv({ REDIS_URL: 'redis://:secret@127.0.0.1:1/0' }), dir);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/REDIS_URL: cannot connect to Redis at 127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
      expect(r.out).not.toContain('secret');
      expect(r.out).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

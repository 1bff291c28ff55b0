/**
 * Request and app logs (docs/operations.md §Logs) at the HTTP boundary, through the
 * SDK's `pb.logs`: every request stored with PocketBase's `data` (secrets redacted,
 * IP and auth id per `settings.logs`), `minLevel` and `maxDays: 0`, filter, sort and
 * hourly stats, a bad filter's 400, `DELETE /api/logs`, `app.logger()` from a hooks
 * file, `X-Request-Id`, and superuser-only access.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type PocketBase from 'pocketbase';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadHooks } from '../src/app/hooks-loader.js';
import Database from 'better-sqlite3';
import { testDialect } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let pb: PocketBase;
let token: string;
const hooksDir = mkdtempSync(join(tmpdir(), 'plinth-logs-hooks-'));

beforeAll(async () => {
  writeFileSync(join(hooksDir, 'log.js'), `export default (app) => {
    app.routerAdd('GET', '/api/test/app-log', (e) => {
      app.logger().with({ source: 'hooks' }).warn('stock is low', { sku: 'A-1', left: 2 });
      app.logger().debug('debug detail');
      return e.json(200, { ok: true });
    });
  };`);
  s = await startTestServer({}, { plugins: await loadHooks(hooksDir) });
  pb = await s.admin();
  token = await s.adminToken();
});

afterAll(async () => {
  await s?.close();
  rmSync(hooksDir, { recursive: true, force: true });
});

const DEFAULT_LOGS = { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false, maxDataSize: 16384 };

beforeEach(async () => {
  await pb.settings.update({ logs: DEFAULT_LOGS, rateLimits: { enabled: false } });
  await pb.logs.truncate();
});

/** Polls `probe` until it returns a value (entries are written in batches, a moment after the answer). */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('gave up waiting');
}

/** The stored entries matching `filter`, once there are `count` of them. */
async function entries(filter: string, count = 1) {
  return until(async () => {
    const list = await pb.logs.getList(1, 100, { filter });
    return list.items.length >= count ? list.items : undefined;
  });
}

/** Waits until a request marked by `tag` is stored, so that all entries before it were flushed. */
async function settle(): Promise<void> {
  const tag = `settle${Math.random().toString(36).slice(2, 8)}`;
  await s.request('GET', `/api/health?${tag}=1`);
  await entries(`data.url ~ "${tag}"`);
}

describe('every request is stored', () => {
  it('with PocketBase request data, the token in the URL redacted', async () => {
    const res = await s.request('GET', '/api/health?token=secret-value-123&page=2', {
      headers: { 'User-Agent': 'logs-test/1', Referer: 'http://example.test/page' },
    });
    expect(res.status).toBe(200);
    const [entry] = await entries('data.url ~ "/api/health" && data.url ~ "page=2"');
    expect(entry!.level).toBe(0);
    expect(entry!.message).toBe('GET /api/health?token=[REDACTED]&page=2');
    expect(entry!.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(entry!.data).toMatchObject({
      type: 'request', method: 'GET', url: '/api/health?token=[REDACTED]&page=2', status: 200,
      auth: 'guest', userAgent: 'logs-test/1', referer: 'http://example.test/page', userIP: '127.0.0.1',
    });
    expect(typeof entry!.data.execTime).toBe('number');
    expect(JSON.stringify(entry)).not.toContain('secret-value-123');
    expect(entry!.data).not.toHaveProperty('authId');
    expect(await pb.logs.getOne(entry!.id)).toEqual(entry);
  });

  it.runIf(testDialect() === 'sqlite')('on SQLite in <dir>/auxiliary.db, not in data.db', async () => {
    await s.request('GET', '/api/health?where=aux');
    await entries('data.url ~ "where=aux"');
    const aux = new Database(join(s.dir, 'auxiliary.db'), { readonly: true });
    const data = new Database(join(s.dir, 'data.db'), { readonly: true });
    try {
      expect(aux.prepare("SELECT COUNT(*) AS n FROM _logs WHERE data LIKE '%where=aux%'").get()).toEqual({ n: 1 });
      expect(data.prepare("SELECT name FROM sqlite_master WHERE name = '_logs'").all()).toEqual([]);
    } finally {
      aux.close();
      data.close();
    }
  });

  it('a failed request at error level with its error', async () => {
    expect((await s.request('GET', '/api/collections/missing_one/records')).status).toBe(404);
    const [entry] = await entries('data.url ~ "/api/collections/missing_one"');
    expect(entry!.level).toBe(8);
    expect(entry!.data).toMatchObject({ status: 404, error: "Missing collection context." });
  });

  it('the superuser with authId when logAuthId is on, no IPs when logIP is off', async () => {
    await pb.settings.update({ logs: { ...DEFAULT_LOGS, logIP: false, logAuthId: true } });
    await s.request('GET', '/api/health?who=admin', { token });
    const [entry] = await entries('data.url ~ "who=admin"');
    expect(entry!.data).toMatchObject({ auth: '_superusers', authId: pb.authStore.record!.id });
    expect(entry!.data).not.toHaveProperty('userIP');
    expect(entry!.data).not.toHaveProperty('remoteIP');
  });

  it('the rate-limit rule that refused a request', async () => {
    await pb.settings.update({ rateLimits: { enabled: true, rules: [{ label: '/api/health', audience: '', duration: 60, maxRequests: 1 }] } });
    await s.request('GET', '/api/health?limited=1');
    expect((await s.request('GET', '/api/health?limited=2')).status).toBe(429);
    await pb.settings.update({ rateLimits: { enabled: false } });
    const [entry] = await entries('data.url ~ "limited=2"');
    expect(entry!.data).toMatchObject({ status: 429, rateLimit: '/api/health' });
  });
});

describe('settings.logs', () => {
  it('minLevel keeps only entries at or above it', async () => {
    await pb.settings.update({ logs: { ...DEFAULT_LOGS, minLevel: 4 } });
    await s.request('GET', '/api/health?quiet=1');
    await s.request('GET', '/api/collections/missing_two/records');
    await entries('data.url ~ "/api/collections/missing_two"');
    await pb.settings.update({ logs: DEFAULT_LOGS });
    await settle();
    expect((await pb.logs.getList(1, 10, { filter: 'data.url ~ "quiet=1"' })).totalItems).toBe(0);
  });

  it('maxDays 0 stores nothing', async () => {
    await pb.settings.update({ logs: { ...DEFAULT_LOGS, maxDays: 0 } });
    await s.request('GET', '/api/health?kept=none');
    await s.request('GET', '/api/collections/missing_three/records');
    await pb.settings.update({ logs: DEFAULT_LOGS });
    await settle();
    expect((await pb.logs.getList(1, 10, { filter: 'data.url ~ "kept=none" || data.url ~ "/api/collections/missing_three"' })).totalItems).toBe(0);
  });

  it('a value out of range is a 400 naming it', async () => {
    const res = await s.request('PATCH', '/api/settings', { token, body: { logs: { minLevel: 1000, maxDays: -1 } } });
    expect(res.status).toBe(400);
    expect(res.body.data.logs).toMatchObject({ minLevel: { code: 'validation_invalid_value' }, maxDays: { code: 'validation_invalid_value' } });
  });
});

describe('list, filter, sort, stats, delete', () => {
  it('filters and sorts over id, created, level, message and data.*', async () => {
    await s.request('GET', '/api/health?n=1');
    await s.request('GET', '/api/collections/missing_four/records');
    await settle();
    const errors = await pb.logs.getList(1, 50, { filter: 'level = 8 && data.status = 404 && message ~ "/api/collections/missing_four"' });
    expect(errors.items.map((e) => e.data.url)).toEqual(['/api/collections/missing_four/records']);
    // NOTE: the logs API's own requests are left out: their entries may land between the two reads.
    const others = 'data.url !~ "/api/logs"';
    const sorted = await pb.logs.getList(1, 50, { sort: '-level,created', filter: others });
    expect(sorted.items[0]!.level).toBe(8);
    const asc = await pb.logs.getList(1, 50, { sort: 'created', filter: others });
    const created = asc.items.map((e) => e.created);
    expect([...created].sort()).toEqual(created);
    expect(sorted.totalItems).toBe(asc.totalItems);
  });

  it('stats counts entries per hour, with a filter', async () => {
    await s.request('GET', '/api/collections/missing_five/records');
    await settle();
    const all = await pb.logs.getStats();
    expect(all.length).toBeGreaterThan(0);
    for (const item of all) expect(item.date).toMatch(/^\d{4}-\d\d-\d\d \d\d:00:00\.000Z$/);
    const errors = await pb.logs.getStats({ filter: 'data.url ~ "/api/collections/missing_five"' });
    expect(errors.reduce((n, x) => n + x.total, 0)).toBe(1);
  });

  it('a bad or unknown filter or sort is a 400', async () => {
    for (const path of ['/api/logs?filter=' + encodeURIComponent('level ='), '/api/logs?filter=nope%3D1', '/api/logs?sort=nope',
      '/api/logs/stats?filter=' + encodeURIComponent('(level'), '/api/logs/stats?filter=unknown%3D1']) {
      const res = await s.request('GET', path, { token });
      expect(res.status, path).toBe(400);
    }
  });

  it('a missing entry is a 404', async () => {
    expect((await s.request('GET', '/api/logs/nope123', { token })).status).toBe(404);
  });

  it('a burst of requests is stored whole, each entry with its own values', async () => {
    // 120 requests within one flush: two full chunks of the batch INSERT and 20 single rows.
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => s.request('GET', `/api/health?burst=${i}`)));
    const stored = await until(async () => {
      const list = await pb.logs.getList(1, 200, { filter: 'data.url ~ "burst="' });
      return list.items.length >= 120 ? list.items : undefined;
    });
    expect(stored).toHaveLength(120);
    const byUrl = new Map(stored.map((e) => [e.data.url as string, e]));
    answers.forEach((res, i) => {
      const entry = byUrl.get(`/api/health?burst=${i}`);
      expect(entry?.message).toBe(`GET /api/health?burst=${i}`);
      expect(entry?.level).toBe(0);
      expect(entry?.data.requestId).toBe(res.headers.get('x-request-id'));
      expect(entry?.data.status).toBe(200);
    });
  });

  it('DELETE /api/logs removes every entry and keeps the retention setting', async () => {
    await s.request('GET', '/api/health?before=delete');
    await entries('data.url ~ "before=delete"');
    expect((await s.request('DELETE', '/api/logs', { token })).status).toBe(204);
    expect((await pb.logs.getList(1, 10)).totalItems).toBe(0);
    expect((await pb.settings.getAll()).logs.maxDays).toBe(5);
  });
});

describe('app.logger()', () => {
  it('stores entries from a hooks file with their data, minLevel applied', async () => {
    expect((await s.request('GET', '/api/test/app-log')).status).toBe(200);
    const [entry] = await entries('message = "stock is low"');
    expect(entry!.level).toBe(4);
    expect(entry!.data).toEqual({ source: 'hooks', sku: 'A-1', left: 2 });
    await settle();
    expect((await pb.logs.getList(1, 10, { filter: 'message = "debug detail"' })).totalItems).toBe(0);
  });
});

describe('X-Request-Id', () => {
  it('is sent on every answer, a sane incoming one kept, an insane one replaced', async () => {
    const own = await s.request('GET', '/api/health');
    expect(own.headers.get('x-request-id')).toMatch(/^[\w.-]{1,64}$/);
    const kept = await s.request('GET', '/api/health?rid=1', { headers: { 'X-Request-Id': 'lb-abc.123_x' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-abc.123_x');
    const [entry] = await entries('data.url ~ "rid=1"');
    expect(entry!.data.requestId).toBe('lb-abc.123_x');
    for (const bad of ['a b', 'x'.repeat(65), 'id"}{', '../x']) {
      const res = await s.request('GET', '/api/health', { headers: { 'X-Request-Id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[\w.-]{1,64}$/);
      expect(res.headers.get('x-request-id')).not.toBe(bad);
    }
    const missing = await s.request('GET', '/api/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('access', () => {
  it('guests get 401, other users 403', async () => {
    const users = await pb.collection('users').create({ email: 'logs-user@example.com', password: 'password123', passwordConfirm: 'password123' });
    const user = await s.client().collection('users').authWithPassword('logs-user@example.com', 'password123');
    for (const [method, path] of [['GET', '/api/logs'], ['GET', '/api/logs/stats'], ['GET', '/api/logs/x'], ['DELETE', '/api/logs']] as const) {
      expect((await s.request(method, path)).status, `${method} ${path}`).toBe(401);
      expect((await s.request(method, path, { token: user.token })).status, `${method} ${path}`).toBe(403);
    }
    await pb.collection('users').delete(users.id);
  });

  it('the retention cron is listed', async () => {
    const crons = await pb.crons.getFullList();
    expect(crons).toContainEqual({ id: '__pbLogsCleanup__', expression: '0 */6 * * *' });
  });
});

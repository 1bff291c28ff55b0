/**
 * The jobs and crons APIs (docs/jobs.md §4, docs/api.md §9) as scenario tables:
 * superusers only (401 guest, 403 other users), the jobs list filtered by name,
 * status and tag with pagination, a 400 naming each bad parameter, view, retry
 * and delete with their 404s; the crons list and run-now in PocketBase's shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName, userToken } from './helpers/collections.js';
import { eventually, jobWhen } from './helpers/jobs.js';
import { sql } from 'kysely';

let s: TestServer;
let token: string;
let user: string;

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
  user = await userToken(s);
});
afterAll(async () => {
  await s.close();
});

const GUARDED: [method: string, path: string][] = [
  ['GET', '/api/jobs'],
  ['GET', '/api/jobs/abc'],
  ['POST', '/api/jobs/abc/retry'],
  ['DELETE', '/api/jobs/abc'],
  ['GET', '/api/crons'],
  ['POST', '/api/crons/__pbOTPCleanup__'],
];

describe('who may use the jobs and crons APIs', () => {
  it.each(GUARDED)('%s %s: 401 for a guest, 403 for a user', async (method, path) => {
    const guest = await s.request(method, path);
    expect(guest.status).toBe(401);
    expect(guest.body).toEqual({ status: 401, message: 'The request requires valid record authorization token.', data: {} });
    const other = await s.request(method, path, { token: user });
    expect(other.status).toBe(403);
  });
});

describe('the jobs API', () => {
  it('lists jobs newest first, filtered by name, status and tag, a page at a time', async () => {
    const name = uniqueName('listed');
    s.node.jobs.define(name, async () => 'ok');
    const later = Date.now() + 3_600_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await s.node.jobs.enqueue(name, { i }, { runAt: later, tag: i % 2 === 0 ? 'even' : 'odd' })).id);
    const page = await s.request('GET', `/api/jobs?name=${name}&perPage=2&page=2`, { token });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 2, perPage: 2, totalItems: 5, totalPages: 3 });
    expect(page.body.items.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    expect(Object.keys(page.body.items[0]).sort()).toEqual(
      ['attempts', 'created', 'id', 'key', 'lastError', 'maxAttempts', 'name', 'payload', 'result', 'runAt', 'status', 'tag', 'updated'],
    );
    expect(page.body.items[0].runAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    const even = await s.request('GET', `/api/jobs?name=${name}&tag=even&status=queued`, { token });
    expect(even.body.items.map((j: { id: string }) => j.id)).toEqual([ids[4], ids[2], ids[0]]);
    const none = await s.request('GET', `/api/jobs?name=${name}&status=dead`, { token });
    expect(none.body).toMatchObject({ totalItems: 0, items: [] });
  });

  it.each([
    ['status=sleeping', 'status'],
    ['page=0', 'page'],
    ['page=x', 'page'],
    ['perPage=1001', 'perPage'],
    ['perPage=-1', 'perPage'],
    [`name=${'n'.repeat(256)}`, 'name'],
    ["filter=status='dead'", 'filter'],
    ['sort=-created', 'sort'],
  ])('answers 400 naming the parameter for ?%s', async (query, field) => {
    const res = await s.request('GET', `/api/jobs?${query}`, { token });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.data)).toEqual([field]);
    expect(res.body.data[field].code).toMatch(/^validation_/);
  });

  it('views, retries and deletes a job; 404 for an unknown id', async () => {
    const name = uniqueName('edited');
    let fail = true;
    s.node.jobs.define(name, async () => {
      if (fail) throw new Error('not yet');
      return 'second time lucky';
    }, { attempts: 1 });
    const job = await s.node.jobs.enqueue(name, { x: 1 });
    const dead = await jobWhen(s, token, job.id, (j) => j.status === 'dead', 'to die');
    expect(dead).toMatchObject({ lastError: 'not yet', attempts: 1 });
    fail = false;
    const retried = await s.request('POST', `/api/jobs/${job.id}/retry`, { token });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: job.id, attempts: 0 });
    const done = await jobWhen(s, token, job.id, (j) => j.status === 'done', 'to run again');
    expect(done).toMatchObject({ result: 'second time lucky', attempts: 1 });
    const removed = await s.request('DELETE', `/api/jobs/${job.id}`, { token });
    expect(removed.status).toBe(204);
    for (const [method, path] of [['GET', `/api/jobs/${job.id}`], ['DELETE', `/api/jobs/${job.id}`], ['POST', `/api/jobs/${job.id}/retry`]] as const) {
      const res = await s.request(method, path, { token });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual({ status: 404, message: "The requested resource wasn't found.", data: {} });
    }
  });

  it('refuses to retry a running job with a 400', async () => {
    const name = uniqueName('busy');
    let release = (): void => undefined;
    s.node.jobs.define(name, () => new Promise<void>((done) => (release = done)));
    const job = await s.node.jobs.enqueue(name, {});
    await jobWhen(s, token, job.id, (j) => j.status === 'running', 'to start');
    const res = await s.request('POST', `/api/jobs/${job.id}/retry`, { token });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/running/);
    release();
    await jobWhen(s, token, job.id, (j) => j.status === 'done', 'to finish');
  });
});

describe('the crons API', () => {
  it('lists the application\'s crons sorted by id, then Plinth\'s own', async () => {
    s.node.cronAdd('zeta', '*/5 * * * *', () => undefined);
    s.node.cronAdd('alpha', '@daily', () => undefined);
    const res = await s.request('GET', '/api/crons', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: 'alpha', expression: '@daily' },
      { id: 'zeta', expression: '*/5 * * * *' },
      { id: '__pbAuthOriginsCleanup__', expression: '0 3 * * *' },
      { id: '__pbJobsCleanup__', expression: '30 * * * *' },
      { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
      { id: '__pbMFACleanup__', expression: '0 * * * *' },
      { id: '__pbOTPCleanup__', expression: '0 * * * *' },
    ]);
    s.node.cronRemove('zeta');
    s.node.cronRemove('alpha');
  });

  it('runs a cron now with 204, and answers 404 for an unknown id', async () => {
    let runs = 0;
    s.node.cronAdd('manual', '0 0 1 1 *', () => {
      runs++;
    });
    const res = await s.request('POST', '/api/crons/manual', { token });
    expect(res.status).toBe(204);
    await eventually(() => (runs === 1 ? true : undefined), 'the cron to run');
    // The SDK's crons service works against it.
    const pb = await s.admin();
    expect((await pb.crons.getFullList()).map((c) => c.id)).toContain('manual');
    expect(await pb.crons.run('manual')).toBe(true);
    await eventually(() => (runs === 2 ? true : undefined), 'the cron to run again');
    const missing = await s.request('POST', '/api/crons/nope', { token });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ status: 404, message: 'Missing or invalid cron job', data: {} });
    s.node.cronRemove('manual');
  });

  it('refuses an invalid expression or id with a 400 naming it', () => {
    const thrown = (fn: () => void): any => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('nothing was thrown');
    };
    for (const expression of ['* * * *', '61 * * * *', '@often', '* * * * * *', '']) {
      const err = thrown(() => s.node.cronAdd('bad', expression, () => undefined));
      expect(err.status, expression).toBe(400);
      expect(Object.keys(err.data), expression).toEqual(['expression']);
    }
    const err = thrown(() => s.node.cronAdd('', '* * * * *', () => undefined));
    expect(err.status).toBe(400);
    expect(Object.keys(err.data)).toEqual(['id']);
    expect(s.node.crons.list().some((c) => c.id === 'bad')).toBe(false);
  });
});

describe('the housekeeping crons', () => {
  const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ');
  const HOUSEKEEPING: [cron: string, table: string, extra: string, old: number][] = [
    ['__pbOTPCleanup__', '_otps', 'password', 3_600_000],
    ['__pbMFACleanup__', '_mfas', 'method', 3_600_000],
    ['__pbAuthOriginsCleanup__', '_authOrigins', 'fingerprint', 181 * 86_400_000],
  ];

  it.each(HOUSEKEEPING)('%s deletes the %s rows past their lifetime, and only those', async (cron, table, extra, old) => {
    const users = s.node.findCollectionByNameOrId('users');
    const insert = (id: string, at: string) => sql`INSERT INTO ${sql.table(table)}
      (${sql.ref('id')}, ${sql.ref('collectionRef')}, ${sql.ref('recordRef')}, ${sql.ref(extra)}, ${sql.ref('created')}, ${sql.ref('updated')})
      VALUES (${id}, ${users.id}, ${'someone'}, ${id}, ${at}, ${at})`.execute(s.node.db());
    await insert('expired00000001', stamp(Date.now() - old));
    await insert('fresh0000000001', stamp(Date.now()));
    const res = await s.request('POST', `/api/crons/${cron}`, { token });
    expect(res.status).toBe(204);
    const left = await eventually(async () => {
      // Only these two: sign-ins of the other tests leave origins of their own.
      const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(table)}
        WHERE ${sql.ref('id')} IN (${'expired00000001'}, ${'fresh0000000001'}) ORDER BY ${sql.ref('id')}`.execute(s.node.db());
      return rows.length === 1 ? rows.map((r) => r.id) : undefined;
    }, `the expired ${table} row to go`);
    expect(left).toEqual(['fresh0000000001']);
  });
});

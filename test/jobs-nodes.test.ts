/**
 * Two nodes on one PostgreSQL database (docs/jobs.md §5): each cron tick runs on
 * exactly one node although both nodes enqueue it (the tick's dedupe key), and jobs
 * claimed concurrently by both workers (`FOR UPDATE SKIP LOCKED`) each run once.
 * Ticks are fired through the scheduler's `fire(id, tick)`, as the schedule does at
 * each matching minute. With Redis too, a commit on one node wakes the others' workers at
 * once instead of at their next poll. Needs PLINTH_TEST_DATABASE_URL (and
 * PLINTH_TEST_REDIS_URL for the wake-up); skipped with a printed reason otherwise.
 * (Several nodes on one SQLite file are not a supported deployment.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';
import { eventually } from './helpers/jobs.js';
import { redisSkipReason, redisTestUrl, testRedisPrefix } from './helpers/test-redis.js';
import type { Services } from '../src/app/services.js';

const skip = postgresSkipReason();

describe.skipIf(skip)('two nodes on one PostgreSQL', () => {
  let database: TestDatabase;
  let nodes: TestServer[] = [];
  let token = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    nodes = [await startTestServer({ databaseUrl: database.url, jobPollInterval: 0.1 })];
    nodes.push(await startTestServer({ databaseUrl: database.url, jobPollInterval: 0.1 }));
    token = await nodes[0]!.adminToken();
  }, 60_000);

  afterAll(async () => {
    for (const node of nodes) await node.close();
    await database?.drop();
  }, 60_000);

  it('runs each cron tick once although every node enqueues it', async () => {
    const runs = new Map<number, number>();
    const byNode = [0, 0];
    nodes.forEach((s, i) => s.node.cronAdd('report', '0 0 1 1 *', () => {
      byNode[i]!++;
    }));
    const ticks = Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2030, 0, 1, 0, i)));
    for (const tick of ticks) {
      const jobs = await Promise.all(nodes.map((s) => s.node.crons.fire('report', tick)));
      // Both enqueues answer with the one row of that tick.
      expect(jobs[0]!.id).toBe(jobs[1]!.id);
      runs.set(tick.getTime(), 0);
    }
    const done = await eventually(async () => {
      const res = await nodes[1]!.request('GET', '/api/jobs?name=@cron&perPage=100', { token });
      const mine = res.body.items.filter((j: { payload: { id: string } }) => j.payload.id === 'report');
      return mine.length === ticks.length && mine.every((j: { status: string }) => j.status === 'done') ? mine : undefined;
    }, 'every tick to run');
    expect(done.map((j: { attempts: number }) => j.attempts)).toEqual(ticks.map(() => 1));
    expect(byNode[0]! + byNode[1]!).toBe(ticks.length);
    for (const s of nodes) s.node.cronRemove('report');
  });

  it('claims concurrently on both nodes and runs each job once', async () => {
    const ran = new Map<number, string[]>();
    nodes.forEach((s, i) => s.node.jobs.define<{ n: number }>('count', async (ctx) => {
      ran.set(ctx.payload.n, [...(ran.get(ctx.payload.n) ?? []), `node${i}`]);
      await new Promise((r) => setTimeout(r, 2));
    }, { concurrency: 4 }));
    const total = 200;
    await Promise.all(Array.from({ length: total }, (_, n) => nodes[n % 2]!.node.jobs.enqueue('count', { n })));
    await eventually(() => (ran.size === total ? true : undefined), 'every job to run');
    await eventually(async () => {
      const res = await nodes[0]!.request('GET', '/api/jobs?name=count&status=done&perPage=1', { token });
      return res.body.totalItems === total ? true : undefined;
    }, 'every job to be done');
    expect([...ran.values()].filter((who) => who.length !== 1)).toEqual([]);
    const nodesUsed = new Set([...ran.values()].map((who) => who[0]));
    expect(nodesUsed.size).toBe(2);
  });
});

describe.skipIf(skip ?? redisSkipReason())('two nodes on one PostgreSQL and one Redis', () => {
  let database: TestDatabase;
  let nodes: TestServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // A poll interval far beyond the test's deadline: only a wake-up through Redis gets the job run.
    const config = { databaseUrl: database.url, redisUrl: redisTestUrl()!, redisPrefix: testRedisPrefix(), jobPollInterval: 3600 };
    nodes = [await startTestServer(config)];
    nodes.push(await startTestServer(config));
  }, 60_000);

  afterAll(async () => {
    for (const node of nodes) await node.close();
    await database?.drop();
  }, 60_000);

  it('wakes the other node\'s worker after a commit that enqueued', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    let ranOn = '';
    a.node.jobs.define('wake', async () => {
      ranOn = 'a';
    });
    b.node.jobs.define('wake', async () => {
      ranOn = 'b';
    });
    // Node a's worker stops, so the job can only run on node b.
    await (a.node as unknown as { services: Services }).services.jobs.worker.stop();
    // Node b's worker looks once at start and at the definition, then sleeps for an hour.
    await new Promise((r) => setTimeout(r, 200));
    const job = await a.node.runInTransaction((tx) => tx.jobs.enqueue('wake', {}));
    await eventually(async () => ((await b.node.jobs.get(job.id))?.status === 'done' ? true : undefined), 'node b to run the job');
    expect(ranOn).toBe('b');
  });
});

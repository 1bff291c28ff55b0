/**
 * Two nodes on one PostgreSQL database (docs/jobs.md §5): each cron tick runs on
 * exactly one node although both nodes enqueue it (the tick's dedupe key), and jobs
 * claimed concurrently by both workers (`FOR UPDATE SKIP LOCKED`) each run once.
 * Ticks are fired through the scheduler's `fire(id, tick)`, as the schedule does at
 * each matching minute. Needs PLINTH_TEST_DATABASE_URL; skipped with a printed reason
 * otherwise. (Several nodes on one SQLite file are not a supported deployment.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';
import { eventually } from './helpers/jobs.js';

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

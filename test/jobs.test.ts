/**
 * Durable jobs (docs/jobs.md) on a real server, on SQLite and PostgreSQL: a job
 * runs and is done with its result; a throwing handler is retried with backoff
 * and ends dead with its error; a timeout aborts the attempt; a dedupe key makes a
 * second enqueue a no-op; an enqueue inside a transaction or a record hook exists
 * only if the write commits. States are read through the jobs API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName } from './helpers/collections.js';
import { HookHandles } from './helpers/hook-test-server.js';
import { eventually, jobsNamed, jobWhen } from './helpers/jobs.js';

let s: TestServer;
let token: string;
const hooks = new HookHandles();

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => {
  await s.close();
});

const finished = (job: { status: string }) => job.status === 'done' || job.status === 'dead';

describe('jobs', () => {
  it('runs an enqueued job and keeps it done with its result and setResult merged', async () => {
    const name = uniqueName('job');
    const seen: unknown[] = [];
    s.node.jobs.define(name, async (ctx) => {
      seen.push(ctx.payload);
      ctx.setResult({ note: 'set', kept: true });
      return { note: 'returned', attempt: ctx.attempt };
    });
    const job = await s.node.jobs.enqueue(name, { order: 42 });
    expect(job).toMatchObject({ name, status: 'queued', attempts: 0, maxAttempts: 3, payload: { order: 42 }, key: '', lastError: '' });
    const done = await jobWhen(s, token, job.id, finished, 'to finish');
    expect(done).toMatchObject({ id: job.id, status: 'done', attempts: 1, result: { note: 'returned', kept: true, attempt: 1 } });
    expect(seen).toEqual([{ order: 42 }]);
  });

  it('retries a throwing handler with backoff, then keeps it dead with its error', async () => {
    const name = uniqueName('job');
    const attempts: number[] = [];
    s.node.jobs.define(name, async (ctx) => {
      attempts.push(ctx.attempt);
      ctx.setResult({ tried: ctx.attempt });
      throw new Error(`boom ${ctx.attempt}`);
    }, { attempts: 3, backoff: { type: 'fixed', delayMs: 300 } });
    const job = await s.node.jobs.enqueue(name, null);
    // Between attempts it is `failed`, with the error and a later runAt.
    const failed = await jobWhen(s, token, job.id, (j) => j.status === 'failed', 'to fail once');
    expect(failed.lastError).toMatch(/^boom [12]$/);
    expect(failed.runAt > job.runAt).toBe(true);
    const dead = await jobWhen(s, token, job.id, finished, 'to end');
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastError: 'boom 3', result: { tried: 3 } });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('aborts an attempt that runs past its timeout and counts it as failed', async () => {
    const name = uniqueName('job');
    let aborted = false;
    s.node.jobs.define(name, (ctx) => new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = true;
        reject(ctx.signal.reason);
      });
    }), { attempts: 1, timeout: 100 });
    const job = await s.node.jobs.enqueue(name, {});
    const dead = await jobWhen(s, token, job.id, finished, 'to end');
    expect(dead.status).toBe('dead');
    expect(dead.lastError).toContain('timed out');
    expect(aborted).toBe(true);
  });

  it('fails an attempt whose result JSON cannot hold, saying why', async () => {
    const name = uniqueName('job');
    s.node.jobs.define(name, async () => ({ total: 10n }), { attempts: 1 });
    const job = await s.node.jobs.enqueue(name, {});
    const dead = await jobWhen(s, token, job.id, finished, 'to end');
    expect(dead.status).toBe('dead');
    expect(dead.lastError).toMatch(/the job result must be JSON-serializable/);
  });

  it('makes a second enqueue with the same key a no-op that returns the first job', async () => {
    const name = uniqueName('job');
    let runs = 0;
    s.node.jobs.define(name, async () => {
      runs++;
    });
    const first = await s.node.jobs.enqueue(name, { n: 1 }, { key: `order-${name}`, delay: 60_000 });
    const second = await s.node.jobs.enqueue(name, { n: 2 }, { key: `order-${name}` });
    expect(second.id).toBe(first.id);
    expect(second.payload).toEqual({ n: 1 });
    const listed = await jobsNamed(s, token, name);
    expect(listed.map((j) => j.id)).toEqual([first.id]);
    expect(listed[0]).toMatchObject({ key: `order-${name}`, status: 'queued' });
    expect(runs).toBe(0);
  });

  it('refuses an undefined name and a reserved one with a clear error', async () => {
    await expect(s.node.jobs.enqueue(uniqueName('nope'), {})).rejects.toThrow(/is defined/);
    expect(() => s.node.jobs.define('@mine', async () => undefined)).toThrow(/reserved/);
    expect(() => s.node.jobs.define(uniqueName('job'), async () => undefined, { attempts: 0 })).toThrow(/attempts/);
  });

  it('keeps a job enqueued in runInTransaction only when the transaction commits', async () => {
    const name = uniqueName('job');
    s.node.jobs.define(name, async () => 'ran');
    await expect(s.node.runInTransaction(async (tx) => {
      await tx.jobs.enqueue(name, { v: 'rolled back' });
      throw new Error('abort the transaction');
    })).rejects.toThrow('abort the transaction');
    expect(await jobsNamed(s, token, name)).toEqual([]);
    const job = await s.node.runInTransaction((tx) => tx.jobs.enqueue(name, { v: 'committed' }));
    const done = await jobWhen(s, token, job.id, finished, 'to finish');
    expect(done).toMatchObject({ status: 'done', result: 'ran', payload: { v: 'committed' } });
    expect((await jobsNamed(s, token, name)).map((j) => j.payload.v)).toEqual(['committed']);
  });

  it('joins the write of a record hook: nothing for a refused create, one job for a committed one', async () => {
    const name = uniqueName('job');
    s.node.jobs.define(name, async () => undefined, { attempts: 1 });
    const orders = uniqueName('orders');
    await createCollection(s, token, {
      name: orders, type: 'base', createRule: '', listRule: '', viewRule: '',
      fields: [{ name: 'total', type: 'number', required: true }],
    });
    hooks.track(s.node.onRecordCreate(async (e) => {
      await e.app.jobs.enqueue(name, { total: e.record.get('total') });
      await e.next();
    }, orders));
    hooks.track(s.node.onRecordCreateRequest(async (e) => {
      await e.app.jobs.enqueue(name, { fromRequest: true });
      await e.next();
    }, orders));
    // Refused by validation after both hooks enqueued: the write and both jobs roll back.
    const refused = await s.request('POST', `/api/collections/${orders}/records`, { body: { total: 0 } });
    expect(refused.status).toBe(400);
    expect(await jobsNamed(s, token, name)).toEqual([]);
    const created = await s.request('POST', `/api/collections/${orders}/records`, { body: { total: 12 } });
    expect(created.status).toBe(200);
    const jobs = await eventually(async () => {
      const list = await jobsNamed(s, token, name);
      return list.length === 2 && list.every((j) => j.status === 'done') ? list : undefined;
    }, 'both jobs to run');
    expect(jobs.map((j) => j.payload).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ fromRequest: true }, { total: 12 }]);
    hooks.unbindAll();
  });

  it('runs jobs of one order key one after the other, in enqueue order', async () => {
    const name = uniqueName('job');
    const order: number[] = [];
    let active = 0;
    let overlapped = false;
    s.node.jobs.define<{ n: number }>(name, async (ctx) => {
      active++;
      if (active > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 10));
      order.push(ctx.payload.n);
      active--;
    }, { concurrency: 5 });
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) ids.push((await s.node.jobs.enqueue(name, { n }, { orderKey: 'record-1' })).id);
    for (const id of ids) await jobWhen(s, token, id, finished, 'to finish');
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(overlapped).toBe(false);
  });
});

/**
 * The `_jobs` SQL on an in-memory SQLite database: claims respect runAt, order
 * keys and attempts; an expired claim is claimed again; the claim fences every
 * later write; pruning keeps what is within its retention.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSqlite, type SqliteConnection } from '../../db/connect-sqlite.js';
import { SqliteDialect } from '../../db/dialect/sqlite/sqlite-dialect.js';
import { ensureSystemTables } from '../../db/system-tables.js';
import { JobStore, type NewJobRow } from './job-store.js';

let conn: SqliteConnection;
let store: JobStore;
let n = 0;

beforeEach(async () => {
  conn = connectSqlite(':memory:');
  await ensureSystemTables(conn.db, new SqliteDialect());
  store = new JobStore(conn.db, new SqliteDialect());
});
afterEach(async () => {
  await conn.close();
});

function row(over: Partial<NewJobRow> = {}): NewJobRow {
  n++;
  return {
    id: `job${String(n).padStart(12, '0')}`, name: 'mail', payload: '{}', maxAttempts: 2, backoff: '{"type":"fixed","delayMs":10}',
    timeoutMs: 1000, visibilityMs: 100, runAt: 1000, key: null, orderKey: null, tag: null, created: 'c', updated: 'u', ...over,
  };
}

describe('JobStore', () => {
  it('claims due jobs of one name, oldest runAt first, up to the limit', async () => {
    const late = await store.insert(conn.db, row({ runAt: 5000 }));
    const a = await store.insert(conn.db, row({ runAt: 900, visibilityMs: 60_000 }));
    const b = await store.insert(conn.db, row({ runAt: 800, visibilityMs: 60_000 }));
    await store.insert(conn.db, row({ name: 'other' }));
    const claimed = await store.claim('mail', 5, 'node1', 1000);
    expect(claimed.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(claimed[0]).toMatchObject({ status: 'running', attempts: 1, lockedBy: 'node1', lockedUntil: 61_000 });
    expect(await store.claim('mail', 5, 'node2', 1000)).toEqual([]);
    expect((await store.claim('mail', 5, 'node2', 6000)).map((r) => r.id)).toEqual([late.id]);
  });

  it('holds a job back while an earlier one of its order key is unfinished', async () => {
    const first = await store.insert(conn.db, row({ orderKey: 'k' }));
    const second = await store.insert(conn.db, row({ orderKey: 'k' }));
    const claimed = await store.claim('mail', 5, 'node1', 1000);
    expect(claimed.map((r) => r.id)).toEqual([first.id]);
    await store.complete({ seq: claimed[0]!.seq, attempts: 1, lockedBy: 'node1' }, null, 1001);
    expect((await store.claim('mail', 5, 'node1', 1002)).map((r) => r.id)).toEqual([second.id]);
  });

  it('claims an expired claim again, fencing the old worker out, and ends it dead when no attempt is left', async () => {
    const job = await store.insert(conn.db, row());
    const [first] = await store.claim('mail', 1, 'node1', 1000);
    const [again] = await store.claim('mail', 1, 'node2', 1200);
    expect(again).toMatchObject({ id: job.id, attempts: 2, lockedBy: 'node2' });
    // The first worker's late outcome changes nothing.
    await store.complete({ seq: first!.seq, attempts: 1, lockedBy: 'node1' }, '"late"', 1300);
    expect(await store.get(job.id)).toMatchObject({ status: 'running', lockedBy: 'node2', result: null });
    expect(await store.renew({ seq: first!.seq, attempts: 1, lockedBy: 'node1' }, 1300)).toBe(false);
    // node2 dies too; with no attempt left the reaper ends it.
    expect(await store.claim('mail', 1, 'node3', 1400)).toEqual([]);
    expect(await store.reapExpired(1400)).toBe(1);
    expect(await store.get(job.id)).toMatchObject({ status: 'dead', finishedAt: 1400 });
  });

  it('records a failure with its retry time, and a release without counting the attempt', async () => {
    const job = await store.insert(conn.db, row());
    const [c] = await store.claim('mail', 1, 'node1', 1000);
    await store.fail({ seq: c!.seq, attempts: 1, lockedBy: 'node1' }, 'boom', null, 2000, 1001);
    expect(await store.get(job.id)).toMatchObject({ status: 'failed', lastError: 'boom', runAt: 2000, finishedAt: null });
    const [c2] = await store.claim('mail', 1, 'node1', 2000);
    await store.release({ seq: c2!.seq, attempts: 2, lockedBy: 'node1' }, 2001);
    expect(await store.get(job.id)).toMatchObject({ status: 'queued', attempts: 1, lockedBy: null, lockedUntil: null });
  });

  it('keeps one row per dedupe key', async () => {
    const a = await store.insert(conn.db, row({ key: 'same', payload: '1' }));
    const b = await store.insert(conn.db, row({ key: 'same', payload: '2' }));
    expect(b.id).toBe(a.id);
    expect(b.payload).toBe('1');
    expect((await store.list({ page: 1, perPage: 10 })).total).toBe(1);
  });

  it('prunes done and dead jobs past their retention only', async () => {
    const ids: string[] = [];
    for (const [finish, ok] of [[100, true], [500, true], [100, false], [500, false]] as const) {
      const job = await store.insert(conn.db, row({ maxAttempts: 1 }));
      ids.push(job.id);
      const [c] = await store.claim('mail', 1, 'node1', 1000);
      const claim = { seq: c!.seq, attempts: 1, lockedBy: 'node1' };
      if (ok) await store.complete(claim, null, finish);
      else await store.fail(claim, 'x', null, null, finish);
    }
    expect(await store.prune(200, 600)).toBe(3);
    expect((await store.list({ page: 1, perPage: 10 })).rows.map((r) => r.id)).toEqual([ids[1]]);
  });
});

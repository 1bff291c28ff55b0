/**
 * The SQL of the `_jobs` table (docs/jobs.md §3): insert with a dedupe key,
 * claim, heartbeat, the end of an attempt, release, and the reads and edits of
 * the jobs API. Every statement that ends an attempt is fenced by the claim
 * (`lockedBy` and `attempts`), so a worker whose claim expired and was taken
 * over cannot overwrite the newer attempt.
 */
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { formatDateTime } from '../../tools/datetime.js';
import type { JobStatus } from './job-types.js';

/** A row of `_jobs` as stored. */
export interface JobRow {
  seq: number;
  id: string;
  name: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  backoff: string;
  timeoutMs: number;
  visibilityMs: number;
  runAt: number;
  lockedUntil: number | null;
  lockedBy: string | null;
  key: string | null;
  orderKey: string | null;
  tag: string | null;
  lastError: string;
  result: string | null;
  created: string;
  updated: string;
  finishedAt: number | null;
}

/** The columns of a new row. */
export type NewJobRow = Omit<JobRow, 'seq' | 'lockedUntil' | 'lockedBy' | 'result' | 'finishedAt' | 'lastError' | 'attempts' | 'status'>;

/** The filter and page of a jobs list. */
export interface JobListQuery {
  name?: string;
  status?: JobStatus;
  tag?: string;
  page: number;
  perPage: number;
}

/** The claim of one attempt: the fence every statement ending it checks. */
export interface JobClaim {
  seq: number;
  attempts: number;
  lockedBy: string;
}

/** JobStore reads and writes `_jobs`; it knows SQL, not handlers. */
export class JobStore {
  constructor(private readonly db: Db, private readonly dialect: Dialect) {}

  /** Inserts a job (in `exec`, a transaction or the database); returns it, or the existing job with the same key. */
  async insert(exec: Executor, row: NewJobRow): Promise<JobRow> {
    const values = { ...row, status: 'queued', attempts: 0, lastError: '' };
    const inserted = await exec.insertInto('_jobs').values(values).onConflict((oc) => oc.column('key').doNothing()).returningAll().execute();
    if (inserted[0]) return inserted[0] as JobRow;
    const existing = await exec.selectFrom('_jobs').selectAll().where('key', '=', row.key).executeTakeFirst();
    // NOTE: the other row was deleted between the conflict and this read; a new enqueue would insert.
    if (!existing) throw new Error(`the job with key ${JSON.stringify(row.key)} vanished while enqueueing; try again`);
    return existing as JobRow;
  }

  /**
   * Claims up to `limit` runnable jobs called `name` for `node`: queued or failed ones
   * due by `now`, and running ones whose claim expired; none while an earlier job of
   * its order key is unfinished. Each claimed attempt counts.
   */
  async claim(name: string, limit: number, node: string, now: number): Promise<JobRow[]> {
    const { rows } = await sql<JobRow>`UPDATE _jobs SET status = 'running', attempts = attempts + 1,
      "lockedUntil" = ${now} + "visibilityMs", "lockedBy" = ${node}, updated = ${formatDateTime(new Date(now))}
      WHERE seq IN (
        SELECT j.seq FROM _jobs j
        WHERE j.name = ${name} AND j.attempts < j."maxAttempts"
          AND j.status IN ('queued', 'failed', 'running')
          AND ((j.status <> 'running' AND j."runAt" <= ${now}) OR (j.status = 'running' AND j."lockedUntil" <= ${now}))
          AND (j."orderKey" IS NULL OR NOT EXISTS (
            SELECT 1 FROM _jobs p WHERE p."orderKey" = j."orderKey" AND p.seq < j.seq AND p.status IN ('queued', 'running', 'failed')))
        ORDER BY j."runAt", j.seq
        LIMIT ${limit}${this.dialect.skipLockedRows()}
      )
      RETURNING *`.execute(this.db);
    // NOTE: the plain `status IN (…)` lets SQLite seek idx__jobs_claim by (name, status) even
    // without ANALYZE statistics; with only the OR it read every row of the name, finished
    // ones included (97 ms per claim with 200,000 done deliveries kept, 1 ms with it).
    // NOTE: RETURNING follows no ORDER BY; the worker starts them oldest first.
    return rows.sort((a, b) => Number(a.runAt) - Number(b.runAt) || Number(a.seq) - Number(b.seq));
  }

  /** Ends, as dead, the expired claims of jobs with no attempt left (their worker stopped mid-attempt). */
  async reapExpired(now: number): Promise<number> {
    const result = await sql`UPDATE _jobs SET status = 'dead', "lockedUntil" = NULL, "lockedBy" = NULL, "finishedAt" = ${now},
      "lastError" = ${'The worker of the last attempt stopped before finishing it (its visibility timeout passed).'},
      updated = ${formatDateTime(new Date(now))}
      WHERE status = 'running' AND "lockedUntil" <= ${now} AND attempts >= "maxAttempts"`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Extends a claim by its visibility timeout; false when the claim was lost. */
  async renew(claim: JobClaim, now: number): Promise<boolean> {
    const result = await sql`UPDATE _jobs SET "lockedUntil" = ${now} + "visibilityMs"
      WHERE ${fence(claim)}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /** Records a successful attempt. */
  async complete(claim: JobClaim, result: string | null, now: number): Promise<void> {
    await sql`UPDATE _jobs SET status = 'done', result = ${result}, "lockedUntil" = NULL, "lockedBy" = NULL,
      "finishedAt" = ${now}, updated = ${formatDateTime(new Date(now))} WHERE ${fence(claim)}`.execute(this.db);
  }

  /** Records a failed attempt: `failed` with the next attempt at `retryAt`, or `dead` when `retryAt` is null. */
  async fail(claim: JobClaim, error: string, result: string | null, retryAt: number | null, now: number): Promise<void> {
    const status = retryAt === null ? 'dead' : 'failed';
    await sql`UPDATE _jobs SET status = ${status}, "lastError" = ${error}, result = ${result}, "lockedUntil" = NULL, "lockedBy" = NULL,
      "runAt" = ${retryAt ?? sql.ref('runAt')}, "finishedAt" = ${retryAt === null ? now : null}, updated = ${formatDateTime(new Date(now))}
      WHERE ${fence(claim)}`.execute(this.db);
  }

  /** Gives a claimed job back (a node shutting down): queued again, its attempt not counted. */
  async release(claim: JobClaim, now: number): Promise<void> {
    await sql`UPDATE _jobs SET status = 'queued', attempts = attempts - 1, "lockedUntil" = NULL, "lockedBy" = NULL,
      updated = ${formatDateTime(new Date(now))} WHERE ${fence(claim)}`.execute(this.db);
  }

  /** The job with this public id. */
  async get(id: string): Promise<JobRow | undefined> {
    return (await this.db.selectFrom('_jobs').selectAll().where('id', '=', id).executeTakeFirst()) as JobRow | undefined;
  }

  /** A page of jobs, newest first, and how many match in all. */
  async list(query: JobListQuery): Promise<{ rows: JobRow[]; total: number }> {
    let q = this.db.selectFrom('_jobs');
    if (query.name !== undefined) q = q.where('name', '=', query.name);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.tag !== undefined) q = q.where('tag', '=', query.tag);
    const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const rows = await q.selectAll().orderBy('seq', 'desc').limit(query.perPage).offset((query.page - 1) * query.perPage).execute();
    return { rows: rows as JobRow[], total: Number((counted as { n?: unknown } | undefined)?.n ?? 0) };
  }

  /** Queues a job that is not running to run at `now` with no attempt counted; undefined when it is running or missing. */
  async requeue(id: string, now: number): Promise<JobRow | undefined> {
    const { rows } = await sql<JobRow>`UPDATE _jobs SET status = 'queued', attempts = 0, "runAt" = ${now}, "lockedUntil" = NULL,
      "lockedBy" = NULL, "finishedAt" = NULL, updated = ${formatDateTime(new Date(now))}
      WHERE id = ${id} AND status <> 'running' RETURNING *`.execute(this.db);
    return rows[0];
  }

  /** Deletes a job; false when there was none. */
  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('_jobs').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** How many jobs are queued, running and dead, for the metrics (docs/observability.md §1). */
  async countByStatus(): Promise<Partial<Record<JobStatus, number>>> {
    const rows = await this.db.selectFrom('_jobs').select(['status', (eb) => eb.fn.countAll().as('n')])
      .where('status', 'in', ['queued', 'running', 'dead']).groupBy('status').execute();
    const counts: Partial<Record<JobStatus, number>> = {};
    for (const row of rows as { status: JobStatus; n: unknown }[]) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Deletes `done` jobs finished before `doneBefore` and `dead` ones before `deadBefore`; returns how many. */
  async prune(doneBefore: number, deadBefore: number): Promise<number> {
    const done = await this.db.deleteFrom('_jobs').where('status', '=', 'done').where('finishedAt', '<', doneBefore).executeTakeFirst();
    const dead = await this.db.deleteFrom('_jobs').where('status', '=', 'dead').where('finishedAt', '<', deadBefore).executeTakeFirst();
    return Number(done.numDeletedRows) + Number(dead.numDeletedRows);
  }
}

/** The condition that a row is still held by this claim. */
function fence(claim: JobClaim) {
  return sql`seq = ${claim.seq} AND status = 'running' AND "lockedBy" = ${claim.lockedBy} AND attempts = ${claim.attempts}`;
}

/**
 * Plinth's own housekeeping crons (docs/jobs.md §6), listed by `GET /api/crons`
 * after the application's: expired OTPs and MFA sessions (per their auth
 * collection's duration), sign-in origins not seen for 180 days, and finished
 * jobs past their retention. Rows of system collections are deleted through the
 * record pipeline, so their hooks run as for any delete.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { isAuthCollection, type Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RecordService } from '../records/record-service.js';
import { internalRequest, MFAS } from '../auth/mfa-service.js';
import { OTPS } from '../auth/otp-service.js';
import { AUTH_ORIGINS } from '../auth/auth-alerts.js';
import { formatDateTime } from '../../tools/datetime.js';
import { isAppError } from '../../errors/app-error.js';
import type { CronScheduler } from './cron-scheduler.js';
import type { JobStore } from './job-store.js';

const DAY_MS = 86_400_000;

/** How long finished jobs are kept: done ones a week, dead ones (to inspect and retry) a month. */
export const JOB_RETENTION = { doneMs: 7 * DAY_MS, deadMs: 30 * DAY_MS } as const;

/** How long a sign-in origin is remembered after it was last seen. */
export const AUTH_ORIGIN_RETENTION_MS = 180 * DAY_MS;

/** The most rows one run deletes per collection, so a run stays short; the next run takes the rest. */
const BATCH = 1000;

/** What the housekeeping needs. */
export interface SystemCronDeps {
  db: Db;
  schema: Schema;
  records: RecordService;
  store: JobStore;
  now?: () => number;
}

/** Adds the housekeeping crons to `crons`. */
export function addSystemCrons(crons: CronScheduler, deps: SystemCronDeps): void {
  const now = deps.now ?? Date.now;
  crons.add('__pbOTPCleanup__', '0 * * * *', () => deleteExpired(deps, OTPS, (c) => c.otp?.duration, now()));
  crons.add('__pbMFACleanup__', '0 * * * *', () => deleteExpired(deps, MFAS, (c) => c.mfa?.duration, now()));
  crons.add('__pbAuthOriginsCleanup__', '0 3 * * *', () => deleteOldOrigins(deps, now()));
  crons.add('__pbJobsCleanup__', '30 * * * *', async () => {
    await deps.store.prune(now() - JOB_RETENTION.doneMs, now() - JOB_RETENTION.deadMs);
  });
}

/** Deletes the rows of `table` created longer ago than their auth collection's duration (seconds). */
async function deleteExpired(deps: SystemCronDeps, table: string, duration: (c: Collection) => number | undefined, now: number): Promise<void> {
  const target = deps.schema.find(table);
  if (!target) return;
  for (const c of deps.schema.all()) {
    const seconds = isAuthCollection(c) ? duration(c) : undefined;
    if (seconds === undefined || !(seconds > 0)) continue;
    const oldest = formatDateTime(new Date(now - seconds * 1000));
    const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(table)}
      WHERE ${sql.ref('collectionRef')} = ${c.id} AND ${sql.ref('created')} < ${oldest} LIMIT ${BATCH}`.execute(deps.db);
    await deleteRecords(deps, target, rows.map((r) => r.id));
  }
}

/** Deletes sign-in origins not seen (updated) for AUTH_ORIGIN_RETENTION_MS. */
async function deleteOldOrigins(deps: SystemCronDeps, now: number): Promise<void> {
  const target = deps.schema.find(AUTH_ORIGINS);
  if (!target) return;
  const oldest = formatDateTime(new Date(now - AUTH_ORIGIN_RETENTION_MS));
  const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(AUTH_ORIGINS)}
    WHERE ${sql.ref('updated')} < ${oldest} LIMIT ${BATCH}`.execute(deps.db);
  await deleteRecords(deps, target, rows.map((r) => r.id));
}

async function deleteRecords(deps: SystemCronDeps, c: Collection, ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await deps.records.delete(c, id, { ...internalRequest(), method: 'DELETE' });
    } catch (err) {
      // A concurrent sign-in may have deleted it first; that is the outcome we want.
      if (!(isAppError(err) && err.status === 404)) throw err;
    }
  }
}

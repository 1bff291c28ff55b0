/**
 * The `_jobs` system table (docs/jobs.md §3): one row per job, cron tick or
 * outbox event, worked by one worker loop per node. Times the worker compares
 * (`runAt`, `lockedUntil`, `finishedAt`) are milliseconds since the epoch;
 * `created`/`updated` are the API's datetime text. Created on every start when
 * missing; idempotent.
 */
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Dialect } from './dialect/dialect.js';

/** Creates the `_jobs` table and its indexes when they are missing. */
export async function ensureJobsTable(db: Db, dialect: Dialect): Promise<void> {
  // NOTE: camelCase columns are double-quoted everywhere: PostgreSQL folds unquoted names to lower case.
  // `key` is UNIQUE while NULLs stay distinct (both engines), so only real dedupe keys collide.
  await sql`CREATE TABLE IF NOT EXISTS _jobs (
    seq ${sql.raw(dialect.sequenceColumn())},
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    backoff TEXT NOT NULL,
    "timeoutMs" BIGINT NOT NULL,
    "visibilityMs" BIGINT NOT NULL,
    "runAt" BIGINT NOT NULL,
    "lockedUntil" BIGINT,
    "lockedBy" TEXT,
    "key" TEXT UNIQUE,
    "orderKey" TEXT,
    tag TEXT,
    "lastError" TEXT NOT NULL DEFAULT '',
    result TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    "finishedAt" BIGINT
  )`.execute(db);
  // The claim reads by name and status, oldest runAt first.
  await sql`CREATE INDEX IF NOT EXISTS idx__jobs_claim ON _jobs (name, status, "runAt")`.execute(db);
  // Expired claims, and pruning of finished rows.
  await sql`CREATE INDEX IF NOT EXISTS idx__jobs_status ON _jobs (status, "finishedAt")`.execute(db);
  // "Is an earlier job of this order key unfinished?" (docs/jobs.md §3).
  await sql`CREATE INDEX IF NOT EXISTS idx__jobs_order ON _jobs ("orderKey", seq) WHERE "orderKey" IS NOT NULL`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS idx__jobs_tag ON _jobs (tag, seq) WHERE tag IS NOT NULL`.execute(db);
}

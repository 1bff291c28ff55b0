/**
 * The tables Plinth keeps for itself: collection definitions, key-value
 * parameters (settings), webhooks, the applied migration files and the jobs. Created on first
 * start; idempotent.
 */
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Dialect } from './dialect/dialect.js';
import { ensureJobsTable } from './jobs-table.js';

/** Creates the system tables when they are missing. */
export async function ensureSystemTables(db: Db, dialect: Dialect): Promise<void> {
  // Text columns as the dialect writes them: byte-wise on PostgreSQL, so the collections
  // list sorts by name exactly as on SQLite whatever the database's locale.
  const text = sql.raw(dialect.columnDefinition({ kind: 'text', defaultValue: '' }));
  const bool = sql.raw(dialect.columnDefinition({ kind: 'bool', defaultValue: false }));
  await sql`CREATE TABLE IF NOT EXISTS _collections (
    id ${text} PRIMARY KEY,
    name ${text},
    type ${text},
    system ${bool},
    data ${text},
    created ${text},
    updated ${text}
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX IF NOT EXISTS idx__collections_name ON _collections (lower(name))`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS _params (
    id ${text} PRIMARY KEY,
    value TEXT,
    created ${text},
    updated ${text}
  )`.execute(db);
  // Webhooks (docs/webhooks.md §2): events, headers as JSON text; the signing secret is stored
  // as given out, since signing needs it in the clear.
  await sql`CREATE TABLE IF NOT EXISTS _webhooks (
    id ${text} PRIMARY KEY,
    name ${text},
    url ${text},
    events ${text},
    filter ${text},
    headers ${text},
    active ${bool},
    secret ${text},
    created ${text},
    updated ${text}
  )`.execute(db);
  // One row per applied migration file (docs/migrations.md), as PocketBase's: `applied` in
  // microseconds since the epoch, so files applied in one run keep their order.
  await sql`CREATE TABLE IF NOT EXISTS _migrations (
    file ${text} PRIMARY KEY,
    applied BIGINT NOT NULL
  )`.execute(db);
  // Jobs, cron ticks and the event outbox (docs/jobs.md §3).
  await ensureJobsTable(db, dialect);
}

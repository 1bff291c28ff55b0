/**
 * Copies an embedded SQLite instance (schema, records, superusers, files'
 * metadata, settings, and the logs of `auxiliary.db`) into an empty PostgreSQL database, in one transaction, and
 * verifies the row counts before it commits. The SQLite file is only read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Collection } from '../core/collections/collection.js';
import { parseDatabaseUrl, redactUrlPassword } from '../config/config-values.js';
import { connectPostgres, STARTUP_LOCK } from '../db/connect-postgres.js';
import type { Db, Executor } from '../db/database.js';
import { PostgresDialect } from '../db/dialect/postgres/postgres-dialect.js';
import { ROWID_COLUMN } from '../db/dialect/postgres/postgres-rowid.js';
import { convertValue, ValueConversionError } from '../db/migrate-values.js';
import { SchemaSync } from '../db/schema-sync.js';
import { fieldStorage } from '../core/fields/field-storage.js';
import { SqliteSource } from '../db/sqlite-source.js';
import { ensureSystemTables } from '../db/system-tables.js';
import { ensureLogsTable } from '../db/logs-table.js';

/** What to migrate where. */
export interface MigrateDbOptions {
  /** The data directory holding `data.db`. */
  dir: string;
  /** The PostgreSQL URL of an empty database. */
  to: string;
  /** Called before a table is copied and after each batch of rows. */
  onProgress?(progress: MigrateProgress): void;
}

/** Where the copy is: table `position` of `tables`, `copied` of its `total` rows. */
export interface MigrateProgress {
  table: string;
  position: number;
  tables: number;
  copied: number;
  total: number;
}

/** The outcome of a migration: every copied table with its verified row count. */
export interface MigrateDbReport {
  tables: Array<{ name: string; rows: number }>;
  /** The view collections created on the target (views hold no rows). */
  views: string[];
  /** SQLite tables that belong to no collection and no system table, left behind. */
  skipped: string[];
  /** The folder uploaded files stay in, when it exists; files are not copied. */
  storage?: string;
}

/** The request and app logs' table: `<dir>/auxiliary.db` on SQLite, a table of the database on PostgreSQL. */
const LOGS_TABLE = '_logs';

/** Rows per INSERT at most; fewer for wide tables, under PostgreSQL's 65535 bound parameters. */
const BATCH_ROWS = 1000;
const MAX_PARAMS = 30_000;

/** The system tables, copied first. */
const SYSTEM_TABLES = ['_collections', '_params'];

/**
 * Migrates the SQLite database of `dir` into the empty PostgreSQL database `to`.
 * A bad URL or source is a ConfigError; a non-empty target or any failure while
 * copying throws an Error after rolling everything back, so the target stays empty.
 */
export async function migrateDb(options: MigrateDbOptions): Promise<MigrateDbReport> {
  const url = parseDatabaseUrl(options.to, '--to');
  const source = SqliteSource.open(options.dir);
  const logs = openLogs(options.dir, source);
  try {
    const target = await connectPostgres(url, { source: '--to', maxConnections: 1 });
    try {
      const report = await target.db.transaction().execute((trx) => copyAll(trx, source, logs, url, options.onProgress));
      const storage = join(options.dir, 'storage');
      return existsSync(storage) ? { ...report, storage } : report;
    } finally {
      await target.close();
    }
  } finally {
    logs?.close();
    source.close();
  }
}

function openLogs(dir: string, source: SqliteSource): SqliteSource | null {
  try {
    return SqliteSource.openLogs(dir);
  } catch (err) {
    source.close();
    throw err;
  }
}

async function copyAll(
  trx: Executor, source: SqliteSource, logs: SqliteSource | null, url: string, onProgress: MigrateDbOptions['onProgress'],
): Promise<MigrateDbReport> {
  // Nodes starting on this database wait until the copy commits, then find it complete.
  await sql`SELECT pg_advisory_xact_lock(${STARTUP_LOCK})`.execute(trx);
  await assertEmpty(trx, url);
  const dialect = new PostgresDialect();
  const collections = source.collections();
  await ensureSystemTables(trx as Db, dialect);
  const ddl = new SchemaSync(dialect);
  for (const c of collections) if (c.type !== 'view') await ddl.create(trx, c, fieldStorage);
  const views = await createViews(trx, ddl, collections.filter((c) => c.type === 'view'));

  const onTarget = new Set(await targetTables(trx));
  const order = [...SYSTEM_TABLES, ...collections.filter((c) => c.type !== 'view').map((c) => c.name)];
  const sourceTables = source.objects().filter((o) => o.type === 'table').map((o) => o.name);
  // Tables a later version creates at start-up come along when the target has them too.
  const tables = [...order, ...sourceTables.filter((t) => !order.includes(t) && onTarget.has(t))];
  const skipped = sourceTables.filter((t) => !tables.includes(t));

  const copied: MigrateDbReport['tables'] = [];
  const count = tables.length + (logs ? 1 : 0);
  for (const [i, table] of tables.entries()) {
    const rows = await copyTable(trx, source, table, (done, total) => onProgress?.({ table, position: i + 1, tables: count, copied: done, total }));
    copied.push({ name: table, rows });
  }
  if (logs) {
    // The request and app logs of `auxiliary.db` go to the `_logs` table: `GET /api/logs` keeps its history.
    await ensureLogsTable(trx as Db, dialect);
    const rows = await copyTable(trx, logs, LOGS_TABLE, (done, total) => onProgress?.({ table: LOGS_TABLE, position: count, tables: count, copied: done, total }));
    copied.push({ name: LOGS_TABLE, rows });
  }
  for (const { name, rows } of copied) {
    const { rows: [row] } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(trx);
    if (Number(row?.n) !== rows) throw new Error(`verification failed: "${name}" has ${rows} rows in SQLite but ${row?.n} in PostgreSQL`);
  }
  return { tables: copied, views, skipped };
}

/** Refuses a database that has any table or view in its current schema. */
async function assertEmpty(trx: Executor, url: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() ORDER BY (table_name = '_collections') DESC, table_name LIMIT 4`.execute(trx);
  if (rows.length === 0) return;
  const names = rows.slice(0, 3).map((r) => `"${r.name}"`).join(', ') + (rows.length > 3 ? ', …' : '');
  const what = rows[0]!.name === '_collections' ? 'already holds a Plinth instance' : 'is not empty';
  throw new Error(`the PostgreSQL database ${redactUrlPassword(url)} ${what} (tables ${names}); migrate-db copies into an empty database only`);
}

/**
 * Creates the views, retrying those that read a view not created yet. Each attempt
 * runs in a savepoint: a failed CREATE VIEW would otherwise abort the transaction.
 */
async function createViews(trx: Executor, ddl: SchemaSync, views: Collection[]): Promise<string[]> {
  let pending = views;
  const failures = new Map<string, string>();
  while (pending.length > 0) {
    const next: Collection[] = [];
    for (const view of pending) {
      await sql.raw('SAVEPOINT plinth_migrate_view').execute(trx);
      try {
        await ddl.create(trx, view, fieldStorage);
        await sql.raw('RELEASE SAVEPOINT plinth_migrate_view').execute(trx);
      } catch (err) {
        await sql.raw('ROLLBACK TO SAVEPOINT plinth_migrate_view').execute(trx);
        failures.set(view.name, err instanceof Error ? err.message : String(err));
        next.push(view);
      }
    }
    if (next.length === pending.length) {
      const [first] = next;
      throw new Error(`the query of view collection "${first!.name}" does not run on PostgreSQL (${failures.get(first!.name)}); change it to standard SQL, then migrate again`);
    }
    pending = next;
  }
  return views.map((v) => v.name);
}

/** The base tables of the target's current schema. */
async function targetTables(trx: Executor): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(trx);
  return rows.map((r) => r.name);
}

/**
 * Copies one table in rowid order and returns its row count in SQLite. The PostgreSQL row
 * gets the SQLite rowid as its insertion-order column, so the default order (and
 * `@rowid`) stay as they were, and the column's sequence continues after it.
 */
async function copyTable(trx: Executor, source: SqliteSource, table: string, progress: (copied: number, total: number) => void): Promise<number> {
  const { rows: described } = await sql<{ name: string; type: string }>`SELECT column_name AS name, data_type AS type
    FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`.execute(trx);
  const types = new Map(described.map((c) => [c.name, c.type]));
  const columns = source.columns(table);
  const missing = columns.filter((c) => !types.has(c));
  if (missing.length > 0) {
    throw new Error(`column ${missing.map((c) => `"${c}"`).join(', ')} of "${table}" is in no field of its collection, so it has no place in PostgreSQL`);
  }
  const keepRowid = types.has(ROWID_COLUMN);
  const total = source.count(table);
  const size = Math.max(1, Math.min(BATCH_ROWS, Math.floor(MAX_PARAMS / (columns.length + 1))));
  let copied = 0;
  progress(0, total);
  for (const batch of source.batches(table, columns, size)) {
    const values = batch.rows.map((row, r) => {
      const out: Record<string, unknown> = {};
      for (const [j, column] of columns.entries()) out[column] = convert(row[j], types.get(column)!, table, column, batch.rowids[r]!);
      if (keepRowid) out[ROWID_COLUMN] = batch.rowids[r];
      return out;
    });
    try {
      await trx.insertInto(table).values(values).execute();
    } catch (err) {
      throw new Error(`copying "${table}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    copied += values.length;
    progress(copied, total);
  }
  if (keepRowid) await continueSequence(trx, table, ROWID_COLUMN);
  // Identity columns (`_jobs.seq`, docs/jobs.md §3) got the copied numbers too.
  const { rows: identities } = await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND is_identity = 'YES'`.execute(trx);
  for (const { name } of identities) await continueSequence(trx, table, name);
  return total;
}

/** Moves the sequence of `table.column` past the copied numbers. */
async function continueSequence(trx: Executor, table: string, column: string): Promise<void> {
  // NOTE: an empty table gets `setval(…, 1, false)`, so its first row is still 1.
  await sql`SELECT setval(pg_get_serial_sequence(${`"${table.replace(/"/g, '""')}"`}, ${column}),
    COALESCE(max(${sql.ref(column)}), 1), max(${sql.ref(column)}) IS NOT NULL) FROM ${sql.table(table)}`.execute(trx);
}

function convert(value: unknown, type: string, table: string, column: string, rowid: number): unknown {
  try {
    return convertValue(value, type);
  } catch (err) {
    if (!(err instanceof ValueConversionError)) throw err;
    throw new Error(`row ${rowid} of "${table}": the value of "${column}" cannot be stored as PostgreSQL ${type}: ${err.message}`);
  }
}

/**
 * The SQL console on SQLite (docs/operations.md "SQL console"): the statement runs on the
 * node's one connection while Kysely's connection lock is held, so no other query, and no
 * open Kysely transaction, shares its transaction.
 */
import type Database from 'better-sqlite3';
import { badRequest, isAppError } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import { tokenizeSql } from '../tools/sql-tokens.js';
import { queryTimeout } from '../errors/query-timeout.js';
import type { SqlConsole, SqlLimits, SqlResult, SqlRun } from '../core/sql/sql-console.js';
import { SqlRunError } from '../errors/sql-run-error.js';
import type { Db } from './database.js';

/**
 * A SqlConsole over the raw connection behind `db`.
 * NOTE: better-sqlite3 cannot interrupt a running statement, so the query time budget
 * (`seconds`) is checked between the rows a statement returns: a read that streams rows
 * stops in time, one long step (an aggregate over a huge join, a large UPDATE) runs to its end.
 */
export function createSqliteSqlConsole(db: Db, raw: Database.Database, seconds: number): SqlConsole {
  const totalChanges = raw.prepare('SELECT total_changes()').pluck();
  return {
    run: (query, limits) => db.connection().execute(async () => runLocked(raw, query, limits, seconds, () => totalChanges.get() as number)),
  };
}

function runLocked(raw: Database.Database, query: string, limits: SqlLimits, seconds: number, changes: () => number): SqlRun {
  assertNoPragmaSetting(query);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let stmt: Database.Statement;
  try {
    stmt = raw.prepare(query);
  } catch (err) {
    throw new SqlRunError(messageOf(err), err);
  }
  const before = changes();
  raw.exec('BEGIN');
  let result: Omit<SqlResult, 'execTime' | 'affectedRows'>;
  try {
    result = stmt.reader ? readRows(stmt, limits.maxRows, deadline) : (stmt.run(), { columns: [], rows: [], truncated: false });
    // A statement that ended the transaction itself (the console refuses the words, PRAGMAs aside) fails here.
    if (!raw.inTransaction) throw new SqlRunError('the statement ended the console\'s transaction');
    raw.exec('COMMIT');
  } catch (err) {
    if (raw.inTransaction) raw.exec('ROLLBACK');
    if (err instanceof SqlRunError || isAppError(err)) throw err;
    throw new SqlRunError(messageOf(err), err);
  }
  const affectedRows = changes() - before;
  return { result: { execTime: Math.round(performance.now() - started), affectedRows, ...result }, readOnly: stmt.readonly };
}

/** The first `maxRows` rows of a reading statement, every value as text; the rest stay unread. */
function readRows(stmt: Database.Statement, maxRows: number, deadline: number): Omit<SqlResult, 'execTime' | 'affectedRows'> {
  const columns = stmt.columns().map((c) => ({ name: c.name, type: (c.type ?? '').toUpperCase(), nullable: true }));
  const rows: Array<Array<string | null>> = [];
  let truncated = false;
  // Integers as bigint: a 64-bit id keeps every digit in its text.
  stmt.raw(true).safeIntegers(true);
  for (const row of stmt.iterate() as Iterable<unknown[]>) {
    if (performance.now() > deadline) throw queryTimeout();
    if (rows.length === maxRows) {
      truncated = true;
      break;
    }
    rows.push(row.map(asText));
  }
  return { columns, rows, truncated };
}

/** PRAGMAs that take an argument in parentheses only to say what to read. */
const READ_PRAGMAS = new Set([
  'table_info', 'table_xinfo', 'table_list', 'index_info', 'index_xinfo', 'index_list', 'foreign_key_list',
  'foreign_key_check', 'integrity_check', 'quick_check',
]);

/**
 * Refuses a PRAGMA that sets something (`PRAGMA x = v`, `PRAGMA x(v)`): the statement runs
 * on the node's one connection, so `foreign_keys`, `query_only` or `busy_timeout` would
 * change for every request until the node restarts. Reading PRAGMAs run.
 */
function assertNoPragmaSetting(query: string): void {
  const tokens = tokenizeSql(query, 'sqlite').tokens;
  if (tokens[0]?.kind !== 'word' || tokens[0].value.toUpperCase() !== 'PRAGMA') return;
  // PRAGMA [schema.]name [= value | (value)]
  let i = 1;
  if (tokens[i + 1]?.value === '.') i += 2;
  const name = (tokens[i]?.value ?? '').toLowerCase();
  const next = tokens[i + 1]?.value;
  if (next === '=' || (next === '(' && !READ_PRAGMAS.has(name))) {
    throw badRequest('An error occurred while validating the submitted data.', { query: codeError('validation_sql_connection_setting') });
  }
}

/** A value as the engine's text: PocketBase scans every column into a string. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

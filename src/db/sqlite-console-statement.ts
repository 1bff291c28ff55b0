/**
 * One SQL console statement on a SQLite connection (docs/operations.md "SQL console"):
 * run in a transaction of its own, committed when it succeeds, rolled back when it
 * fails, with at most `maxRows` rows read. Shared by the console's child process and
 * the in-process console of an in-memory database.
 */
import type Database from 'better-sqlite3';
import { badRequest, isAppError } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import { tokenizeSql } from '../tools/sql-tokens.js';
import type { SqlLimits, SqlResult, SqlRun } from '../core/sql/sql-console.js';
import { SqlRunError } from '../errors/sql-run-error.js';

/** Runs `query` on `raw` in its own transaction; a database error is a SqlRunError. */
export function runConsoleStatement(raw: Database.Database, query: string, limits: SqlLimits): SqlRun {
  const totalChanges = raw.prepare('SELECT total_changes()').pluck();
  const started = performance.now();
  let stmt: Database.Statement;
  try {
    stmt = raw.prepare(query);
  } catch (err) {
    throw new SqlRunError(messageOf(err), err);
  }
  const before = totalChanges.get() as number;
  raw.exec('BEGIN');
  let result: Omit<SqlResult, 'execTime' | 'affectedRows'>;
  try {
    result = stmt.reader ? readRows(stmt, limits.maxRows) : (stmt.run(), { columns: [], rows: [], truncated: false });
    // A statement that ended the transaction itself (the console refuses the words, PRAGMAs aside) fails here.
    if (!raw.inTransaction) throw new SqlRunError('the statement ended the console\'s transaction');
    raw.exec('COMMIT');
  } catch (err) {
    if (raw.inTransaction) raw.exec('ROLLBACK');
    if (err instanceof SqlRunError || isAppError(err)) throw err;
    throw new SqlRunError(messageOf(err), err);
  }
  const affectedRows = (totalChanges.get() as number) - before;
  return { result: { execTime: Math.round(performance.now() - started), affectedRows, ...result }, readOnly: stmt.readonly };
}

/** The first `maxRows` rows of a reading statement, every value as text; the rest stay unread. */
function readRows(stmt: Database.Statement, maxRows: number): Omit<SqlResult, 'execTime' | 'affectedRows'> {
  const columns = stmt.columns().map((c) => ({ name: c.name, type: (c.type ?? '').toUpperCase(), nullable: true }));
  const rows: Array<Array<string | null>> = [];
  let truncated = false;
  // Integers as bigint: a 64-bit id keeps every digit in its text.
  stmt.raw(true).safeIntegers(true);
  for (const row of stmt.iterate() as Iterable<unknown[]>) {
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
 * Refuses a PRAGMA that sets something (`PRAGMA x = v`, `PRAGMA x(v)`): a setting of the
 * console's connection is lost with it, and one of the database file (`journal_mode`,
 * `user_version`) is not the console's to change. Reading PRAGMAs run.
 */
export function assertNoPragmaSetting(query: string): void {
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

/**
 * The SQL console on PostgreSQL (docs/operations.md "SQL console"): each statement runs on
 * a pooled connection of its own, in a transaction, under the session's statement_timeout
 * (`--queryTimeout`), and the connection is then closed instead of pooled, so whatever
 * session state the statement set (SET, temporary tables, LISTEN) leaves with it.
 */
import type { Pool, PoolClient, QueryArrayConfig, QueryConfig, QueryArrayResult } from 'pg';
import { isAppError } from '../errors/app-error.js';
import { queryTimeout } from '../errors/query-timeout.js';
import { tokenizeSql } from '../tools/sql-tokens.js';
import { SqlRunError } from '../errors/sql-run-error.js';
import { isQueryCanceled } from './postgres-errors.js';
import type { SqlConsole, SqlLimits, SqlResult, SqlRun } from '../core/sql/sql-console.js';

/** Statements a cursor can read a page of (DECLARE takes SELECT and VALUES; WITH and TABLE are SELECTs). */
const CURSOR_WORDS = new Set(['SELECT', 'VALUES', 'TABLE', 'WITH']);

/** Every value as PostgreSQL's own text: PocketBase scans every column into a string. */
const AS_TEXT = { getTypeParser: () => (text: string) => text };

type Page = Omit<SqlResult, 'execTime' | 'affectedRows' | 'columns'> & { fields: QueryArrayResult['fields']; affectedRows: number };

/** A SqlConsole over a pg pool. */
export function createPostgresSqlConsole(pool: Pool): SqlConsole {
  return {
    async run(query, limits) {
      const client = await pool.connect();
      try {
        return await runOn(client, query, limits);
      } finally {
        client.release(true);
      }
    },
  };
}

async function runOn(client: PoolClient, query: string, limits: SqlLimits): Promise<SqlRun> {
  const started = performance.now();
  let page: Page;
  let readOnly = false;
  try {
    await client.query('BEGIN');
    const cursorPage = CURSOR_WORDS.has(firstWord(query)) ? await readThroughCursor(client, query, limits.maxRows) : null;
    readOnly = cursorPage !== null;
    page = cursorPage ?? (await runPlain(client, query, limits.maxRows));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isAppError(err)) throw err;
    if (isQueryCanceled(err)) throw queryTimeout(err);
    throw new SqlRunError(err instanceof Error ? err.message : String(err), err);
  }
  const execTime = Math.round(performance.now() - started);
  const columns = await describeColumns(client, page.fields);
  return { result: { execTime, affectedRows: page.affectedRows, columns, rows: page.rows, truncated: page.truncated }, readOnly };
}

/**
 * A reading statement through a cursor, so rows past the limit are never sent; null when
 * PostgreSQL will not declare one for it (a data-modifying WITH, SELECT INTO), which then
 * runs as any other statement.
 */
async function readThroughCursor(client: PoolClient, query: string, maxRows: number): Promise<Page | null> {
  await client.query('SAVEPOINT plinth_console');
  try {
    // SECURITY: the superuser's own statement, checked to be exactly one (SqlConsoleService);
    // the extended protocol refuses a second one as well.
    await client.query({ text: `DECLARE plinth_console NO SCROLL CURSOR FOR ${query}`, queryMode: 'extended' } as QueryConfig);
  } catch (err) {
    if (isQueryCanceled(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT plinth_console');
    return null;
  }
  const fetched = await client.query(arrayQuery(`FETCH ${maxRows + 1} FROM plinth_console`));
  return { ...limitRows(fetched.rows, maxRows), fields: fetched.fields, affectedRows: 0 };
}

/** Any other statement, as written; rows it returns (RETURNING) are bounded by what it wrote. */
async function runPlain(client: PoolClient, query: string, maxRows: number): Promise<Page> {
  const result = await client.query(arrayQuery(query));
  const counted = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command);
  return { ...limitRows(result.rows ?? [], maxRows), fields: result.fields ?? [], affectedRows: counted ? result.rowCount ?? 0 : 0 };
}

function arrayQuery(text: string): QueryArrayConfig {
  return { text, rowMode: 'array', types: AS_TEXT, queryMode: 'extended' } as QueryArrayConfig;
}

function limitRows(rows: unknown[][], maxRows: number): Pick<SqlResult, 'rows' | 'truncated'> {
  const truncated = rows.length > maxRows;
  const kept = truncated ? rows.slice(0, maxRows) : rows;
  return { rows: kept.map((row) => row.map((v) => (v === null || v === undefined ? null : String(v)))), truncated };
}

/** Column names with their type names, looked up in pg_type (upper-case, as Go's driver names them). */
async function describeColumns(client: PoolClient, fields: QueryArrayResult['fields']): Promise<SqlResult['columns']> {
  const oids = [...new Set(fields.map((f) => f.dataTypeID))];
  const names = new Map<number, string>();
  if (oids.length > 0) {
    // The statement has committed: a failed lookup leaves the types blank rather than failing the answer.
    const found = await client
      .query<{ oid: number; name: string }>('SELECT oid::int AS oid, upper(typname) AS name FROM pg_type WHERE oid = ANY($1::oid[])', [oids])
      .catch(() => ({ rows: [] as Array<{ oid: number; name: string }> }));
    for (const row of found.rows) names.set(row.oid, row.name);
  }
  return fields.map((f) => ({ name: f.name, type: names.get(f.dataTypeID) ?? '', nullable: true }));
}

function firstWord(query: string): string {
  const first = tokenizeSql(query, 'postgres').tokens[0];
  return first?.kind === 'word' ? first.value.toUpperCase() : '';
}

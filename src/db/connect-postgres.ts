/**
 * Opens a pooled PostgreSQL connection (`DATABASE_URL`) and wraps it in Kysely.
 * `pg` is loaded here, on demand, so an embedded node never loads it.
 */
import { CompiledQuery, Kysely, PostgresDialect as KyselyPostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Pool, PoolConfig, QueryConfig } from 'pg';

// pg 8 honours `queryMode` (@types/pg does not declare it yet).
type ExtendedQueryConfig = QueryConfig & { queryMode: 'extended' };
import { ConfigError } from '../config/config-error.js';
import { connectFailureReason, redactUrlPassword } from '../config/config-values.js';
import { queryTimeout } from '../errors/query-timeout.js';
import { isQueryCanceled } from './postgres-errors.js';
import type { Db } from './database.js';
import { reportQuery, statementKind, type QueryObserver } from './query-observer.js';
import type { SqlConsole } from '../core/sql/sql-console.js';
import { createPostgresSqlConsole } from './postgres-sql-console.js';
import type { BackupLock } from '../core/backups/backup-lock.js';
import { createPostgresBackupLock } from './postgres-backup-lock.js';
import { createQueryDeadlines, type CapStatement } from './deadline-executor.js';
import type { QueryDeadlines } from '../core/records/query-deadline.js';

/** An open PostgreSQL pool: the Kysely handle and a way to end every connection. */
export interface PostgresConnection {
  db: Db;
  close(): Promise<void>;
  /**
   * Runs `fn` under a database-wide advisory lock, so that nodes starting together
   * on a fresh database create its tables one at a time.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** The SQL console over this pool (docs/operations.md "SQL console"). */
  sqlConsole: SqlConsole;
  /** One backup or restore at a time across the nodes of this database. */
  backupLock: BackupLock;
  /** Executors whose statements share one operation's query budget (docs/security.md "Queries"). */
  deadlines: QueryDeadlines;
}

/** The advisory lock key of start-up sections ("plinth" in ASCII); `migrate-db` holds it too while it fills a database. */
export const STARTUP_LOCK = '123610927625320';

/** Options of the pool beyond the URL. */
export interface PostgresOptions {
  /** The setting that named the URL, for messages (`DATABASE_URL`). */
  source?: string;
  /** Most connections the pool keeps open (default 10). */
  maxConnections?: number;
  /**
   * The longest one statement may run, in seconds (`--queryTimeout`), as every connection's
   * `statement_timeout`; unset = none (`migrate-db`). Schema changes lift it for their
   * transaction (Dialect.liftQueryTimeout).
   */
  statementTimeout?: number;
  /** Told the kind and duration of every statement (metrics, tracing: docs/observability.md §1). */
  onQuery?: QueryObserver;
}

/**
 * Settings of each of Plinth's sessions (docs/configuration.md "PostgreSQL sessions"): no
 * parallel workers and no JIT compilation. Both pay off only for statements that read much
 * of a table, and are decided from the planner's cost, which for a search tier counts a
 * branch that the tier seldom runs: a tier that found its rows in 0.5 ms took 30 ms to start a
 * worker for that branch, and a JIT-compiled parallel count of 84,000 matches took 640 ms
 * against 330 ms in one process. A `?options=` in DATABASE_URL replaces these.
 */
const SESSION_OPTIONS = '-c max_parallel_workers_per_gather=0 -c jit=off';

// Type OIDs of pg_type (stable since PostgreSQL 7).
const OID = { int8: 20, numeric: 1700, json: 114, jsonb: 3802, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;
const TEXT_TYPES = new Set<number>([OID.json, OID.jsonb, OID.date, OID.timestamp, OID.timestamptz]);

/**
 * Connects to PostgreSQL, checks the connection once, and returns the Kysely
 * handle. A bad URL, an unreachable server or a refused login throws a
 * ConfigError naming the setting and the reason.
 */
export async function connectPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresConnection> {
  const source = options.source ?? 'DATABASE_URL';
  const pg = (await import('pg')).default;
  const config: PoolConfig = {
    connectionString: url,
    max: options.maxConnections ?? 10,
    // NOTE: a fresh pool would otherwise wait forever for an unreachable host.
    connectionTimeoutMillis: 10_000,
    options: SESSION_OPTIONS,
    types: { getTypeParser: typeParser(pg.types.getTypeParser) as never },
  };
  // NOTE: sent in the start-up packet, so it is each session's default and RESET returns to it.
  if (options.statementTimeout) config.statement_timeout = Math.max(1, Math.round(options.statementTimeout * 1000));
  let pool: Pool;
  try {
    pool = new pg.Pool(config);
  } catch (err) {
    throw new ConfigError(source, `${describe(url)}: ${connectFailureReason(err)}`);
  }
  // A connection that breaks while idle must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new ConfigError(source, `cannot connect to PostgreSQL at ${describe(url)}: ${connectFailureReason(err)}`);
  }
  const dialect = new KyselyPostgresDialect({ pool: withoutNulLookups(pool, options.onQuery) });
  const db = new Kysely<any>({ dialect });
  const budgetMs = config.statement_timeout;
  return {
    db,
    deadlines: budgetMs ? createQueryDeadlines(db, dialect, budgetMs / 1000, capWithStatementTimeout(budgetMs)) : { start: () => db },
    sqlConsole: createPostgresSqlConsole(pool),
    backupLock: createPostgresBackupLock(pool),
    async close() {
      // Kysely's destroy ends the pool too.
      await db.destroy();
    },
    async exclusive<T>(fn: () => Promise<T>): Promise<T> {
      // NOTE: a session lock on a connection of its own; fn's queries use the others.
      const client = await pool.connect();
      try {
        // Waiting for another node's start-up (a long schema upgrade) is not a slow query.
        await client.query('SET statement_timeout = 0');
        await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
          await client.query('RESET statement_timeout');
        }
      } finally {
        client.release();
      }
    },
  };
}

/**
 * PostgreSQL text cannot hold U+0000 and raises when a parameter has one; SQLite
 * simply finds no row. A read (SELECT/WITH/DELETE) therefore gets NULL for such a
 * parameter, which matches nothing, while a write still raises (SQLSTATE 22021),
 * which the dialect turns into a 400. A statement cancelled by the statement timeout
 * becomes the 400 of a query timeout here, whichever service ran it.
 */
function withoutNulLookups(pool: Pool, onQuery?: QueryObserver): PostgresPool {
  const scrub = (text: string, params: readonly unknown[] | undefined): unknown[] | undefined => {
    if (!params?.some((p) => typeof p === 'string' && p.includes('\u0000'))) return params as unknown[] | undefined;
    if (!/^\s*(SELECT|WITH|DELETE)\b/i.test(text)) return params as unknown[];
    return params.map((p) => (typeof p === 'string' && p.includes('\u0000') ? null : p));
  };
  return {
    async connect() {
      const client = await pool.connect();
      // NOTE: a connection that breaks while checked out but between queries (inside a
      // transaction) emits 'error' with no listener, which would crash the process; it is
      // kept here instead, and the broken client is destroyed on release, not pooled.
      let broken: Error | undefined;
      const onError = (err: Error) => (broken = err);
      client.on('error', onError);
      return {
        // SECURITY: every query goes through the extended protocol, even without
        // parameters: PostgreSQL then refuses more than one statement per query text
        // ("cannot insert multiple commands into a prepared statement"), so DDL built from
        // superuser-written SQL (view queries, index conditions) cannot smuggle a second one.
        query: ((text: string, params?: readonly unknown[]) => {
          const running = client.query({ text, values: scrub(text, params), queryMode: 'extended' } as ExtendedQueryConfig);
          if (!onQuery) return running.catch(rethrowTimeout);
          // Each statement's kind and duration (docs/observability.md §1).
          const start = performance.now();
          const kind = statementKind(text);
          return running.then((result) => {
            reportQuery(onQuery, 'postgresql', kind, text, start);
            return result;
          }, (err: unknown) => {
            reportQuery(onQuery, 'postgresql', kind, text, start, err);
            return rethrowTimeout(err);
          });
        }) as unknown as PostgresPoolClient['query'],
        release: () => {
          client.removeListener('error', onError);
          client.release(broken);
        },
      };
    },
    end: () => pool.end(),
  };
}

/**
 * Within `slack` of the whole budget an operation's statement runs under the session's own
 * statement_timeout: the first statement of each operation, and those after quick ones, cost
 * no more round trips, and the operation ends by the deadline plus `slack` at the latest.
 */
const DEADLINE_SLACK = 0.05;

/**
 * Runs an operation's statement under statement_timeout = the time the operation has left
 * (at least 1 ms: 0 would mean no limit), set on its connection before it and reset after.
 * NOTE: the value is set with set_config, bound, never written into the SQL text; a RESET
 * returns to the session default sent at connection start-up. A statement that failed in a
 * transaction leaves RESET failing too: the rollback restores the setting instead.
 */
function capWithStatementTimeout(budgetMs: number): CapStatement {
  const unsetWithin = budgetMs * (1 - DEADLINE_SLACK);
  return async (connection, query, deadline) => {
    const left = deadline - performance.now();
    if (left >= unsetWithin) return connection.executeQuery(query);
    await connection.executeQuery(CompiledQuery.raw("SELECT set_config('statement_timeout', $1, false)", [String(Math.max(1, Math.ceil(left)))]));
    let failed = false;
    try {
      return await connection.executeQuery(query);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      const reset = connection.executeQuery(CompiledQuery.raw('RESET statement_timeout'));
      await (failed ? reset.catch(() => undefined) : reset);
    }
  };
}

/** Rethrows a statement timeout as the client's 400, anything else as it is. */
function rethrowTimeout(err: unknown): never {
  if (isQueryCanceled(err)) throw queryTimeout(err);
  throw err;
}

/**
 * Values come back the way the SQLite driver gives them: json/jsonb as text (the
 * json field type parses its own text), int8 and numeric as numbers (counts,
 * identity columns), dates and timestamps untouched as text.
 */
function typeParser(base: (oid: number, format?: 'text' | 'binary') => unknown) {
  return (oid: number, format?: 'text' | 'binary'): unknown => {
    if (format === 'binary') return base(oid, format);
    if (TEXT_TYPES.has(oid)) return (text: string) => text;
    if (oid === OID.int8 || oid === OID.numeric) return (text: string) => Number(text);
    return base(oid, format);
  };
}

/** `host:port/database` of a URL, without credentials. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return redactUrlPassword(url);
  }
}


/**
 * Opens the embedded SQLite database `<dir>/data.db` with the settings Plinth
 * relies on, and wraps it in Kysely.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect as KyselySqliteDialect } from 'kysely';
import { CONFIG_DEFAULTS } from '../config/config.js';
import { Lru } from '../tools/lru.js';
import type { Db } from './database.js';
import type { SqlConsole } from '../core/sql/sql-console.js';
import { createSqliteSqlConsole } from './sqlite-sql-console.js';
import { checksBudget, SqliteQueryBudget } from './sqlite-query-budget.js';
import { reportQuery, statementKind, type QueryObserver } from './query-observer.js';
import { createQueryDeadlines } from './deadline-executor.js';
import type { QueryDeadlines } from '../core/records/query-deadline.js';

/** An open SQLite database: the Kysely handle and the raw connection for pragmas and shutdown. */
export interface SqliteConnection {
  db: Db;
  raw: Database.Database;
  /** The SQL console over this connection (docs/operations.md "SQL console"). */
  sqlConsole: SqlConsole;
  /** Executors whose statements share one operation's query budget (docs/security.md "Queries"). */
  deadlines: QueryDeadlines;
  close(): Promise<void>;
}

/** Options of the connection beyond its directory. */
export interface SqliteOptions {
  /** The longest one statement that checks the query budget may run, in seconds (default `--queryTimeout`'s). */
  queryTimeout?: number;
  /** Called with the raw connection once it is set up (pragmas, functions). */
  onConnection?: (raw: Database.Database) => void;
  /** Told the kind and duration of every statement (metrics, tracing: docs/observability.md §1). */
  onQuery?: QueryObserver;
  /** The file in `dir` (default `data.db`; the log store opens `auxiliary.db`). */
  file?: string;
}

/** Opens (creating when needed) the database in `dir`; `:memory:` opens a private in-memory one. */
export function connectSqlite(dir: string, options: SqliteOptions = {}): SqliteConnection {
  let file = ':memory:';
  if (dir !== ':memory:') {
    mkdirSync(dir, { recursive: true });
    file = join(dir, options.file ?? 'data.db');
  }
  const raw = new Database(file);
  // NOTE: WAL keeps readers off the writer's back; synchronous=NORMAL in WAL mode
  // loses nothing when the process is killed (the WAL is in the OS page cache),
  // only on power loss, which is PocketBase's trade-off as well.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  raw.pragma('journal_size_limit = 200000000');
  raw.pragma('cache_size = -32000');
  raw.pragma('temp_store = MEMORY');
  const seconds = options.queryTimeout ?? CONFIG_DEFAULTS.queryTimeout;
  const budget = new SqliteQueryBudget(seconds);
  budget.install(raw);
  options.onConnection?.(raw);
  const dialect = new KyselySqliteDialect({ database: withStatementCache(raw, budget, options.onQuery) });
  const db = new Kysely<any>({ dialect });
  return {
    db,
    raw,
    sqlConsole: createSqliteSqlConsole(db, raw, file, seconds),
    // NOTE: Kysely's SQLite connection prepares and runs a statement synchronously inside
    // executeQuery, so the operation's deadline is in place for exactly that statement.
    deadlines: createQueryDeadlines(db, dialect, seconds, (connection, query, deadline) => budget.within(deadline, () => connection.executeQuery(query))),
    async close() {
      await db.destroy();
    },
  };
}

/** How many prepared statements are kept; the hot queries of a busy node fit easily. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * The connection as Kysely sees it, with prepared statements reused by SQL text.
 * Kysely's driver prepares every query anew, which costs more than running a
 * simple one; the SQL text of a query never holds values (they are bound), so
 * the same few hundred texts recur.
 * NOTE: safe because statements are only run to completion (`all`/`run`), never
 * left iterating; SQLite re-prepares a cached statement itself after a schema change.
 * A statement that checks the query budget runs under it; the others (writes, reads by
 * id, DDL) never call the budget function and run as they are.
 */
function withStatementCache(raw: Database.Database, budget: SqliteQueryBudget, onQuery?: QueryObserver): { prepare(sql: string): KyselyStatement; close(): void } {
  const cache = new Lru<string, KyselyStatement>(STATEMENT_CACHE_SIZE);
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        const prepared = raw.prepare(sql);
        stmt = checksBudget(sql) ? budgeted(prepared, budget) : prepared;
        if (onQuery) stmt = observed(stmt, sql, onQuery);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      raw.close();
    },
  };
}

/** What Kysely's SQLite driver uses of a prepared statement. */
type KyselyStatement = Pick<Database.Statement, 'reader' | 'all' | 'run' | 'iterate'>;

/** A statement whose every run is timed by the query budget. */
function budgeted(stmt: Database.Statement, budget: SqliteQueryBudget): KyselyStatement {
  return {
    reader: stmt.reader,
    all: (...params: unknown[]) => budget.run(() => stmt.all(...params)),
    run: (...params: unknown[]) => budget.run(() => stmt.run(...params)),
    // NOTE: an iterator runs between the caller's steps, outside any one call; Plinth never streams.
    iterate: (...params: unknown[]) => stmt.iterate(...params),
  };
}

/** A statement that reports each run's kind and duration (docs/observability.md §1); its kind is read once. */
function observed(stmt: KyselyStatement, text: string, onQuery: QueryObserver): KyselyStatement {
  const kind = statementKind(text);
  return {
    reader: stmt.reader,
    all: (...params: unknown[]) => {
      const start = performance.now();
      try {
        const rows = stmt.all(...params);
        reportQuery(onQuery, 'sqlite', kind, text, start);
        return rows;
      } catch (err) {
        reportQuery(onQuery, 'sqlite', kind, text, start, err);
        throw err;
      }
    },
    run: (...params: unknown[]) => {
      const start = performance.now();
      try {
        const result = stmt.run(...params);
        reportQuery(onQuery, 'sqlite', kind, text, start);
        return result;
      } catch (err) {
        reportQuery(onQuery, 'sqlite', kind, text, start, err);
        throw err;
      }
    },
    iterate: (...params: unknown[]) => stmt.iterate(...params),
  };
}

/**
 * Executors whose statements share one operation's query time budget (docs/security.md
 * "Queries"): the engine-neutral part. Each statement of such an executor is refused once
 * the operation's deadline has passed, and is otherwise run by the engine's `CapStatement`,
 * which stops it at the deadline (SQLite: the budget function; PostgreSQL: statement_timeout).
 */
import { Kysely, type CompiledQuery, type ConnectionProvider, type DatabaseConnection, type Dialect as KyselyDialect, type QueryResult } from 'kysely';
import { queryTimeout } from '../errors/query-timeout.js';
import type { QueryDeadlines } from '../core/records/query-deadline.js';
import type { Db } from './database.js';

/** Runs one statement on `connection` so that it stops by `deadline` (a performance.now() time). */
export type CapStatement = (connection: DatabaseConnection, query: CompiledQuery, deadline: number) => Promise<QueryResult<unknown>>;

/**
 * The QueryDeadlines of `db`, built with `dialect`, whose operations get `seconds` each.
 * NOTE: an operation's executor is a Kysely over the same query executor with a connection
 * provider that wraps each connection `db` hands out, so the compiled-text caches (keyed by the
 * adapter) and the connection pool or SQLite's connection mutex are the same as `db`'s. A
 * transaction opened on it goes through `driver`, a driver of the same dialect that is never
 * initialised: Kysely's drivers begin, commit and roll back through the connection given.
 */
export function createQueryDeadlines(db: Db, dialect: KyselyDialect, seconds: number, cap: CapStatement): QueryDeadlines {
  const base = db.getExecutor();
  const driver = dialect.createDriver();
  return {
    start(within = seconds) {
      const deadline = performance.now() + within * 1000;
      const provider: ConnectionProvider = {
        provideConnection: (consumer) => base.provideConnection((connection) => consumer(capped(connection, deadline, cap))),
      };
      return new Kysely<any>({ config: { dialect }, dialect, driver, executor: base.withConnectionProvider(provider) });
    },
  };
}

/** `connection` with each statement refused past `deadline` and capped at it otherwise. */
function capped(connection: DatabaseConnection, deadline: number, cap: CapStatement): DatabaseConnection {
  return {
    executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      // A transaction's own statements always run: refusing a COMMIT or ROLLBACK would leave the connection inside it.
      if (isTransactionControl(query.sql)) return connection.executeQuery<R>(query);
      if (performance.now() >= deadline) return Promise.reject(queryTimeout());
      return cap(connection, query, deadline) as Promise<QueryResult<R>>;
    },
    // NOTE: Plinth never streams; a stream runs between the caller's steps, outside any deadline.
    streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
  };
}

/** The statements Kysely's drivers send to begin, commit or roll back a transaction or a savepoint. */
const TRANSACTION_CONTROL = ['begin', 'start transaction', 'commit', 'rollback', 'savepoint', 'release'];

/** Whether a statement's text is a transaction's own (Kysely writes them in lower case). */
function isTransactionControl(text: string): boolean {
  return TRANSACTION_CONTROL.some((word) => text.startsWith(word));
}

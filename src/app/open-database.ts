/**
 * Where a node's state lives (docs/architecture.md §1): the database it opens —
 * PostgreSQL when DATABASE_URL is set, else the embedded SQLite file in `dir` — and
 * the Redis its cross-node ports use when REDIS_URL is set.
 */
import type { PlinthConfig } from '../config/config.js';
import { SINGLE_NODE_BACKUP_LOCK, type BackupLock } from '../core/backups/backup-lock.js';
import type { RedisTarget } from '../adapters/redis/redis-client.js';
import type { SqlConsole } from '../core/sql/sql-console.js';
import { connectSqlite } from '../db/connect-sqlite.js';
import type { Db } from '../db/database.js';
import type { Dialect } from '../db/dialect/dialect.js';
import { SqliteDialect } from '../db/dialect/sqlite/sqlite-dialect.js';
import type { QueryObserver } from '../db/query-observer.js';
import type { QueryDeadlines } from '../core/records/query-deadline.js';

/** An open database as the node uses it. */
export interface DatabaseConnection {
  db: Db;
  close(): Promise<void>;
  /** Runs `fn` while no other node runs an `exclusive` section on the same database. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs a superuser's SQL statement (docs/operations.md "SQL console"). */
  sqlConsole: SqlConsole;
  /** One backup or restore at a time across the nodes (docs/operations.md, "One backup at a time"). */
  backupLock: BackupLock;
  /** Executors whose statements share one operation's query budget (docs/security.md "Queries"). */
  deadlines: QueryDeadlines;
}

/** Where this node's Redis is, when REDIS_URL is set. */
export function redisTarget(config: PlinthConfig): RedisTarget | undefined {
  if (!config.redisUrl) return undefined;
  return { url: config.redisUrl, prefix: config.redisPrefix ?? 'plinth:', source: 'REDIS_URL' };
}

/**
 * Opens the configured database with its dialect: PostgreSQL when DATABASE_URL is
 * set (pg is loaded only then), else the embedded SQLite file in `dir`.
 */
export async function openDatabase(config: PlinthConfig, onQuery: QueryObserver): Promise<{ dialect: Dialect; connection: DatabaseConnection }> {
  if (config.databaseUrl) {
    const { connectPostgres } = await import('../db/connect-postgres.js');
    const { PostgresDialect } = await import('../db/dialect/postgres/postgres-dialect.js');
    return { dialect: new PostgresDialect(), connection: await connectPostgres(config.databaseUrl, { statementTimeout: config.queryTimeout, onQuery }) };
  }
  const sqlite = connectSqlite(config.dir, { queryTimeout: config.queryTimeout, onQuery });
  // SQLite serves one process, which runs its start-up and its backups alone.
  return {
    dialect: new SqliteDialect(),
    connection: { db: sqlite.db, close: () => sqlite.close(), exclusive: (fn) => fn(), sqlConsole: sqlite.sqlConsole, backupLock: SINGLE_NODE_BACKUP_LOCK, deadlines: sqlite.deadlines },
  };
}

/**
 * Opens the node's LogStore (docs/operations.md §Logs): on PostgreSQL the `_logs`
 * table of the database; on SQLite a separate `<dir>/auxiliary.db` with its own
 * connection in WAL mode, so log batches never wait for, or hold up, a data write.
 */
import type { PlinthConfig } from '../config/config.js';
import { connectSqlite } from '../db/connect-sqlite.js';
import type { Db } from '../db/database.js';
import type { Dialect } from '../db/dialect/dialect.js';
import { ensureLogsTable } from '../db/logs-table.js';
import { SqlLogStore } from '../core/logs/sql-log-store.js';
import type { LogStore } from '../core/logs/log-store.js';

/** What the log store is opened beside: the node's database. */
export interface LogStoreTarget {
  db: Db;
  dialect: Dialect;
  /** Runs `fn` while no other node runs an `exclusive` section (table creation on PostgreSQL). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** Opens the log store of `config`, creating its table when missing. */
export async function openLogStore(config: PlinthConfig, target: LogStoreTarget): Promise<LogStore> {
  if (config.databaseUrl) {
    await target.exclusive(() => ensureLogsTable(target.db, target.dialect));
    return new SqlLogStore({ db: target.db, dialect: target.dialect });
  }
  const aux = connectSqlite(config.dir, {
    file: 'auxiliary.db', queryTimeout: config.queryTimeout,
    // Log batches are appends and the API reads pages: a small page cache (2 MB, not the data file's 32 MB).
    onConnection: (raw) => raw.pragma('cache_size = -2000'),
  });
  try {
    await ensureLogsTable(aux.db, target.dialect);
  } catch (err) {
    await aux.close();
    throw err;
  }
  return new SqlLogStore({ db: aux.db, dialect: target.dialect, close: () => aux.close() });
}

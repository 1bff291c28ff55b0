/**
 * Opens the embedded SQLite database `<dir>/data.db` with the settings Plinth
 * relies on, and wraps it in Kysely.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect as KyselySqliteDialect } from 'kysely';
import { Lru } from '../tools/lru.js';
import type { Db } from './database.js';

/** An open SQLite database: the Kysely handle and the raw connection for pragmas and shutdown. */
export interface SqliteConnection {
  db: Db;
  raw: Database.Database;
  close(): Promise<void>;
}

/** Opens (creating when needed) the database in `dir`; `:memory:` opens a private in-memory one. */
export function connectSqlite(dir: string, onConnection?: (raw: Database.Database) => void): SqliteConnection {
  let file = ':memory:';
  if (dir !== ':memory:') {
    mkdirSync(dir, { recursive: true });
    file = join(dir, 'data.db');
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
  onConnection?.(raw);
  const db = new Kysely<any>({ dialect: new KyselySqliteDialect({ database: withStatementCache(raw) }) });
  return {
    db,
    raw,
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
 */
function withStatementCache(raw: Database.Database): { prepare(sql: string): Database.Statement; close(): void } {
  const cache = new Lru<string, Database.Statement>(STATEMENT_CACHE_SIZE);
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
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

/**
 * The LogStore port (docs/operations.md §Logs): where request and app log entries
 * are kept and read back. On SQLite it is a separate `<dir>/auxiliary.db`, so that
 * logging never waits on data writes; on PostgreSQL a `_logs` table. Both are the
 * same SQL (SqlLogStore) over a different connection.
 */

/** PocketBase's log levels (slog's): debug -4, info 0, warn 4, error 8. */
export const LOG_LEVELS = { debug: -4, info: 0, warn: 4, error: 8 } as const;

/** The name of a log level. */
export type LogLevelName = keyof typeof LOG_LEVELS;

/** One stored log entry, as `GET /api/logs` returns it. */
export interface LogEntry {
  id: string;
  /** The API's datetime text (`2026-12-06 20:30:00.123Z`). */
  created: string;
  level: number;
  message: string;
  data: Record<string, unknown>;
}

/** An entry on its way into the store: `data` already serialized (and capped) once. */
export interface NewLogEntry extends Omit<LogEntry, 'data'> {
  /** The JSON text of `data`. */
  dataJson: string;
}

/** A page of `GET /api/logs`. */
export interface LogListQuery {
  page: number;
  perPage: number;
  /** The client's filter in the filter language, '' for none. */
  filter: string;
  /** The client's sort, '' for newest first. */
  sort: string;
  /** Whether totalItems is counted (`skipTotal=1` skips it, -1 is returned). */
  withTotal: boolean;
}

/** One hour of `GET /api/logs/stats`. */
export interface LogStatsItem {
  total: number;
  /** The hour, `2026-12-06 20:00:00.000Z`. */
  date: string;
}

/** A LogStore keeps log entries; a bad filter or sort throws a 400 AppError. */
export interface LogStore {
  /** Inserts entries (one batch, one statement per entry in one transaction). */
  insert(entries: readonly NewLogEntry[]): Promise<void>;
  /** A page of entries and the total count (-1 when not counted). */
  list(query: LogListQuery): Promise<{ items: LogEntry[]; total: number }>;
  /** The entry with this id, or undefined. */
  get(id: string): Promise<LogEntry | undefined>;
  /** Entries per hour, oldest first, of those matching `filter` ('' for all). */
  stats(filter: string): Promise<LogStatsItem[]>;
  /** Deletes every entry created before `created` (datetime text). */
  deleteBefore(created: string): Promise<void>;
  /** Deletes every entry. */
  deleteAll(): Promise<void>;
  /** Closes the store's own connection, if it has one. */
  close(): Promise<void>;
}

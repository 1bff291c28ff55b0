/**
 * The TableSnapshot port (docs/operations.md, Backups): one consistent, read-only view
 * of the database taken while writes go on, read a table at a time in insertion
 * order. SQLite reads it through a second connection's read transaction (WAL: writers
 * never wait for it), PostgreSQL through a REPEATABLE READ transaction.
 */

/** One row as column → value; the engine's hidden columns (PostgreSQL's insertion order) are left out. */
export type SnapshotRow = Record<string, unknown>;

/** A consistent snapshot of the database's tables. */
export interface TableSnapshot {
  /** Whether `table` is a table of the snapshot. */
  hasTable(table: string): Promise<boolean>;
  /** The rows of `table` in insertion order, at most `batchSize` at a time. */
  rows(table: string, batchSize: number): AsyncIterable<SnapshotRow[]>;
}

/** Runs `fn` over one snapshot, released when `fn` settles. */
export type SnapshotReader = <T>(fn: (snapshot: TableSnapshot) => Promise<T>) => Promise<T>;

/**
 * The TableSnapshot of an embedded SQLite database: a second, read-only connection
 * holding one read transaction (SqliteSource). In WAL mode the node's writes go on
 * meanwhile without waiting; the event loop is given back between batches, so
 * requests are served while the backup reads.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SnapshotReader, SnapshotRow, TableSnapshot } from '../core/backups/table-snapshot.js';
import { SqliteSource } from './sqlite-source.js';

/** A SnapshotReader over `<dir>/data.db`. */
export function sqliteSnapshotReader(dir: string): SnapshotReader {
  return async (fn) => {
    const source = SqliteSource.open(dir, 'backup');
    try {
      return await fn(new SqliteTableSnapshot(source));
    } finally {
      source.close();
    }
  };
}

class SqliteTableSnapshot implements TableSnapshot {
  constructor(private readonly source: SqliteSource) {}

  async hasTable(table: string): Promise<boolean> {
    return this.source.objects().some((o) => o.type === 'table' && o.name === table);
  }

  async *rows(table: string, batchSize: number): AsyncIterable<SnapshotRow[]> {
    const columns = this.source.columns(table);
    for (const batch of this.source.batches(table, columns, batchSize)) {
      yield batch.rows.map((values) => {
        const row: SnapshotRow = {};
        for (const [i, column] of columns.entries()) row[column] = values[i];
        return row;
      });
      // NOTE: better-sqlite3 is synchronous: each batch holds the event loop, so it stays small.
      await yieldToLoop();
    }
  }
}

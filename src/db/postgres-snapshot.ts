/**
 * The TableSnapshot of a PostgreSQL database: one pooled connection in a
 * REPEATABLE READ, READ ONLY transaction, so every table is read as of one instant
 * while other connections write. Rows come in `_rowid_` (insertion) order by keyset
 * pages; the hidden `_rowid_` column itself is left out.
 */
import { sql } from 'kysely';
import type { SnapshotReader, SnapshotRow, TableSnapshot } from '../core/backups/table-snapshot.js';
import type { Db, Executor } from './database.js';
import { ROWID_COLUMN } from './dialect/postgres/postgres-rowid.js';
import { isSearchColumn } from './dialect/postgres/postgres-search-schema.js';

/** A SnapshotReader over the database of `db`. */
export function postgresSnapshotReader(db: Db): SnapshotReader {
  return (fn) => db.connection().execute(async (conn) => {
    await sql`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`.execute(conn);
    try {
      const result = await fn(new PostgresTableSnapshot(conn));
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (err) {
      await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

class PostgresTableSnapshot implements TableSnapshot {
  constructor(private readonly conn: Executor) {}

  async hasTable(table: string): Promise<boolean> {
    const { rows } = await sql`SELECT 1 FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name = ${table} AND table_type = 'BASE TABLE'`.execute(this.conn);
    return rows.length > 0;
  }

  async *rows(table: string, batchSize: number): AsyncIterable<SnapshotRow[]> {
    const { rows: found } = await sql`SELECT 1 FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${ROWID_COLUMN}`.execute(this.conn);
    if (found.length === 0) {
      // The system tables (no insertion-order column) are small: read whole.
      const { rows } = await sql<SnapshotRow>`SELECT * FROM ${sql.table(table)}`.execute(this.conn);
      if (rows.length > 0) yield rows;
      return;
    }
    let after = -1;
    for (;;) {
      const { rows } = await sql<SnapshotRow>`SELECT * FROM ${sql.table(table)} WHERE ${sql.ref(ROWID_COLUMN)} > ${after}
        ORDER BY ${sql.ref(ROWID_COLUMN)} LIMIT ${batchSize}`.execute(this.conn);
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]![ROWID_COLUMN]);
      // NOTE: the search columns (docs/search.md §4.2) are derived, never archived.
      for (const row of rows) {
        delete row[ROWID_COLUMN];
        for (const key of Object.keys(row)) if (isSearchColumn(key)) delete row[key];
      }
      yield rows;
      if (rows.length < batchSize) return;
    }
  }
}

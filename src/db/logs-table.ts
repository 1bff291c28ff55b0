/**
 * The `_logs` table (docs/operations.md §Logs), with PocketBase's columns: id,
 * created (the API's datetime text), level, message and data (JSON). Columns are
 * written by the dialect as a collection's are, so that the filter compiler reads
 * them the same way; PostgreSQL's hidden insertion-order column comes with them.
 * Created on every start when missing; idempotent.
 */
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Dialect } from './dialect/dialect.js';

/** Creates the `_logs` table and its indexes when they are missing. */
export async function ensureLogsTable(db: Db, dialect: Dialect): Promise<void> {
  const columns = [
    `id ${dialect.columnDefinition({ kind: 'text', primaryKey: true, defaultValue: '' })}`,
    `created ${dialect.columnDefinition({ kind: 'text', defaultValue: '' })}`,
    `level ${dialect.columnDefinition({ kind: 'number', defaultValue: 0 })}`,
    `message ${dialect.columnDefinition({ kind: 'text', defaultValue: '' })}`,
    `data ${dialect.columnDefinition({ kind: 'json', defaultValue: '{}' })}`,
    ...dialect.hiddenColumns(),
  ];
  await sql`CREATE TABLE IF NOT EXISTS _logs (${sql.raw(columns.join(', '))})`.execute(db);
  // Retention deletes and time ranges read by created. NOTE: no index on level: every index is one more
  // B-tree write per entry, and a level filter over a retention window's rows is cheap enough.
  await sql`CREATE INDEX IF NOT EXISTS idx__logs_created ON _logs (created)`.execute(db);
}

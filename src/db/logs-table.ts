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
  // Retention deletes and the default time sorts read by created; the dashboard filters by level.
  await sql`CREATE INDEX IF NOT EXISTS idx__logs_created ON _logs (created)`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS idx__logs_level ON _logs (level)`.execute(db);
}

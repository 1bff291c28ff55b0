/**
 * The `_logs` table described as a collection, only so that the filter language's
 * compiler (docs/filter-language.md) resolves `id, created, level, message, data.*`
 * in `GET /api/logs` the way it resolves a record's fields. It is never saved and
 * never listed: the compiler gets a schema holding this collection alone.
 */
import type { Collection, Field } from '../collections/collection.js';
import { MemorySchema } from '../collections/schema.js';

/** The table the entries live in (in `auxiliary.db` on SQLite, in the database on PostgreSQL). */
export const LOGS_TABLE = '_logs';

function field(name: string, type: Field['type'], extra: Partial<Field> = {}): Field {
  return { id: `_logs_${name}`, name, type, system: true, hidden: false, presentable: false, ...extra };
}

/** The collection the logs filter and sort compile against. */
export const LOGS_COLLECTION: Collection = {
  id: '_pb_logs_', name: LOGS_TABLE, type: 'base', system: true,
  listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null,
  fields: [
    field('id', 'text', { primaryKey: true }),
    field('created', 'autodate', { onCreate: true, onUpdate: false }),
    field('level', 'number'),
    field('message', 'text'),
    field('data', 'json'),
  ],
  indexes: [], created: '', updated: '',
};

/** A schema that knows `_logs` alone, so a filter cannot reach any other table. */
export function logsSchema(): MemorySchema {
  const schema = new MemorySchema();
  schema.replaceAll([LOGS_COLLECTION]);
  return schema;
}

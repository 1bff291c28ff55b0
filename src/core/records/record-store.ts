/**
 * RecordStore reads and writes the rows of collection tables, converting
 * between stored column values and record values through each field's type.
 */
import { sql, type RawBuilder } from 'kysely';
import { runCached } from './cached-sql.js';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import type { Collection, Field } from '../collections/collection.js';
import { getFieldType } from '../fields/field-registry.js';
import type { FieldType } from '../fields/field-type.js';

/** A record's field values, keyed by field name, in the shapes of docs/api.md §2.5. */
export type RecordValues = Record<string, unknown>;

/** The table of a collection, aliased `root`, as a FROM item. */
export function rootTable(c: Collection): RawBuilder<unknown> {
  return sql`${sql.table(c.name)} AS root`;
}

/** How one column becomes a record value. */
interface ColumnReader {
  name: string;
  field: Field;
  fromDb: FieldType['fromDb'];
}

// The readers of a field list, built once: every row read goes through them. Keyed by the
// fields array, which a schema change replaces with the collection.
const readers = new WeakMap<readonly Field[], ColumnReader[]>();

function columnReaders(fields: readonly Field[]): ColumnReader[] {
  let list = readers.get(fields);
  if (!list) {
    list = fields.map((field) => ({ name: field.name, field, fromDb: getFieldType(field.type)!.fromDb }));
    readers.set(fields, list);
  }
  return list;
}

/** Turns a database row into record values. */
export function rowToValues(c: Collection, row: Record<string, unknown>): RecordValues {
  const values: RecordValues = {};
  for (const r of columnReaders(c.fields)) values[r.name] = r.fromDb(r.field, row[r.name]);
  return values;
}

/** The stored form of one field's value. */
export function toStored(f: Field, value: unknown): unknown {
  return getFieldType(f.type)!.toDb(f, value);
}

/**
 * A derived table holding one would-be record as bound values, aliased `root`,
 * so a rule can be evaluated against a record that is not stored yet.
 */
export function valuesTable(c: Collection, values: RecordValues, dialect: Dialect): RawBuilder<unknown> {
  return valuesRowsTable(c, [values], dialect);
}

/**
 * A derived table holding several records as bound values (one row each), aliased `root`.
 * NOTE: callers keep the rows few (SQLite caps a compound SELECT at 500 terms) and
 * rows × fields under the engines' bound-parameter limits.
 */
export function valuesRowsTable(c: Collection, records: readonly RecordValues[], dialect: Dialect): RawBuilder<unknown> {
  // NOTE: typed like the table's columns (through the dialect), so a rule compares
  // them as it would stored ones; PostgreSQL would otherwise read every one as text.
  const row = (values: RecordValues) => {
    const value = (f: Field) => dialect.typedValue(toStored(f, values[f.name]), getFieldType(f.type)!.columnKind(f));
    return sql`SELECT ${sql.join(c.fields.map((f) => sql`${value(f)} AS ${sql.ref(f.name)}`))}`;
  };
  return sql`(${sql.join(records.map(row), sql` UNION ALL `)}) AS root`;
}

/** Loads one record by id, or undefined. */
export async function findRecord(exec: Executor, c: Collection, id: string): Promise<RecordValues | undefined> {
  const { rows } = await runCached(exec, {
    key: `find\u0000${c.name}`,
    params: [id],
    build: ([value]) => sql<Record<string, unknown>>`SELECT * FROM ${sql.table(c.name)} WHERE ${sql.ref('id')} = ${value}`,
  });
  return rows[0] ? rowToValues(c, rows[0]) : undefined;
}

/** Loads the records with these ids, in no particular order. */
export async function findRecords(exec: Executor, c: Collection, ids: readonly string[], where?: RawBuilder<boolean>): Promise<RecordValues[]> {
  if (ids.length === 0) return [];
  const cond = where ? sql`AND (${where})` : sql``;
  const out: RecordValues[] = [];
  // NOTE: chunks stay below SQLite's bound-parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${rootTable(c)} WHERE root.${sql.ref('id')} IN (${sql.join(chunk)}) ${cond}`.execute(exec);
    for (const row of rows) out.push(rowToValues(c, row));
  }
  return out;
}

/** Inserts a record with every field's value. */
export async function insertRecord(exec: Executor, c: Collection, values: RecordValues): Promise<void> {
  await runCached(exec, {
    key: `insert\u0000${c.name}\u0000${columnList(c.fields)}`,
    params: c.fields.map((f) => toStored(f, values[f.name])),
    build: (stored) => sql`INSERT INTO ${sql.table(c.name)} (${sql.join(c.fields.map((f) => sql.ref(f.name)))}) VALUES (${sql.join(stored)})`,
  });
}

/** Writes the given fields of a stored record. */
export async function updateRecord(exec: Executor, c: Collection, id: string, values: RecordValues, fields: readonly Field[]): Promise<void> {
  if (fields.length === 0) return;
  await runCached(exec, {
    key: `update\u0000${c.name}\u0000${columnList(fields)}`,
    params: [...fields.map((f) => toStored(f, values[f.name])), id],
    build: (params) => {
      const sets = fields.map((f, i) => sql`${sql.ref(f.name)} = ${params[i]}`);
      return sql`UPDATE ${sql.table(c.name)} SET ${sql.join(sets)} WHERE ${sql.ref('id')} = ${params[fields.length]}`;
    },
  });
}

/** The column names of fields as one key part (names cannot hold NUL). */
function columnList(fields: readonly Field[]): string {
  return fields.map((f) => f.name).join('\u0000');
}

/** The fields whose stored form differs between two versions of a record. */
export function changedFields(c: Collection, before: RecordValues, after: RecordValues): Field[] {
  return c.fields.filter((f) => !sameStored(toStored(f, before[f.name]), toStored(f, after[f.name])));
}

function sameStored(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/** Deletes one row. */
export async function deleteRow(exec: Executor, c: Collection, id: string): Promise<void> {
  await runCached(exec, {
    key: `delete\u0000${c.name}`,
    params: [id],
    build: ([value]) => sql`DELETE FROM ${sql.table(c.name)} WHERE ${sql.ref('id')} = ${value}`,
  });
}

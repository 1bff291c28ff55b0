/**
 * Deletes a record and settles the records that point to it (spec §3.5): its
 * id is removed from their relation fields; a relation left empty cascades
 * when `cascadeDelete` is on, and blocks the delete when it is required.
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { badRequest } from '../../errors/app-error.js';
import type { Collection, Field } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { getFieldType } from '../fields/field-registry.js';
import { deleteRow, rowToValues, updateRecord, type RecordValues } from './record-store.js';

const BLOCKED = 'Failed to delete record. Make sure that the record is not part of a required relation reference.';

/** Called for every record removed, the cascaded ones included, after its row is gone. */
export type OnDeleted = (c: Collection, values: RecordValues) => void;

/** Deletes `values` of `c` with every cascade, inside the caller's transaction. */
export async function deleteWithReferences(
  exec: Executor, deps: { schema: Schema; dialect: Dialect }, c: Collection, values: RecordValues, onDeleted?: OnDeleted, depth = 0,
): Promise<void> {
  if (depth > 32) throw badRequest(BLOCKED);
  const id = String(values.id);
  for (const other of deps.schema.all()) {
    if (other.type === 'view') continue;
    for (const field of other.fields) {
      if (field.type !== 'relation' || field.collectionId !== c.id) continue;
      for (const ref of await referencing(exec, deps.dialect, other, field, id)) {
        if (other.id === c.id && ref.id === id) continue;
        await settleReference(exec, deps, other, field, ref, id, onDeleted, depth);
      }
    }
  }
  await deleteRow(exec, c, id);
  onDeleted?.(c, values);
}

async function settleReference(
  exec: Executor, deps: { schema: Schema; dialect: Dialect }, other: Collection, field: Field, ref: RecordValues, id: string, onDeleted: OnDeleted | undefined, depth: number,
): Promise<void> {
  const type = getFieldType('relation')!;
  const current = ref[field.name];
  const remaining = Array.isArray(current) ? current.filter((x) => x !== id) : current === id ? '' : current;
  const empty = Array.isArray(remaining) ? remaining.length === 0 : remaining === '';
  if (empty && field.cascadeDelete === true) {
    await deleteWithReferences(exec, deps, other, ref, onDeleted, depth + 1);
    return;
  }
  if (empty && field.required === true) throw badRequest(BLOCKED);
  await updateRecord(exec, other, String(ref.id), { ...ref, [field.name]: type.normalize(field, remaining) }, [field]);
}

/** The records of `other` whose relation `field` contains `id`. */
async function referencing(exec: Executor, dialect: Dialect, other: Collection, field: Field, id: string): Promise<RecordValues[]> {
  const column = sql`root.${sql.ref(field.name)}`;
  const match = getFieldType('relation')!.isMultiple(field) ? dialect.jsonArrayContains(column, sql`${id}`) : sql`${column} = ${id}`;
  const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${sql.table(other.name)} AS root WHERE ${match}`.execute(exec);
  return rows.map((r) => rowToValues(other, r));
}

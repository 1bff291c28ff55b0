/**
 * Settles the records that point to a record being deleted (docs/api.md §3.5):
 * its id is removed from their relation fields; a relation left empty cascades
 * when `cascadeDelete` is on, and blocks the delete when it is required. Each
 * cascaded delete and each reference removal is a write of its own, through the
 * record write pipeline (record-write.ts).
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { badRequest } from '../../errors/app-error.js';
import type { Collection, Field } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { getFieldType } from '../fields/field-registry.js';
import { rowToValues, type RecordValues } from './record-store.js';

const BLOCKED = 'Failed to delete record. Make sure that the record is not part of a required relation reference.';

/** How the cascade writes: each call is a record write with its hooks and event. */
export interface CascadeWriter {
  /** Deletes a record whose required-or-cascading relation lost its last target. */
  delete(c: Collection, values: RecordValues, depth: number): Promise<void>;
  /** Stores `next` as the relation `field` of record `values`. */
  update(c: Collection, values: RecordValues, field: Field, next: unknown): Promise<void>;
}

/** Settles every reference to `values` of `c` (the caller then deletes its row), inside the caller's transaction. */
export async function deleteWithReferences(
  exec: Executor, deps: { schema: Schema; dialect: Dialect }, c: Collection, values: RecordValues, writer: CascadeWriter, depth = 0,
): Promise<void> {
  if (depth > 32) throw badRequest(BLOCKED);
  const id = String(values.id);
  for (const other of deps.schema.all()) {
    if (other.type === 'view') continue;
    for (const field of other.fields) {
      if (field.type !== 'relation' || field.collectionId !== c.id) continue;
      for (const ref of await referencing(exec, deps.dialect, other, field, id)) {
        if (other.id === c.id && ref.id === id) continue;
        await settleReference(writer, other, field, ref, id, depth);
      }
    }
  }
}

async function settleReference(writer: CascadeWriter, other: Collection, field: Field, ref: RecordValues, id: string, depth: number): Promise<void> {
  const type = getFieldType('relation')!;
  const current = ref[field.name];
  const remaining = Array.isArray(current) ? current.filter((x) => x !== id) : current === id ? '' : current;
  const empty = Array.isArray(remaining) ? remaining.length === 0 : remaining === '';
  if (empty && field.cascadeDelete === true) {
    await writer.delete(other, ref, depth + 1);
    return;
  }
  if (empty && field.required === true) throw badRequest(BLOCKED);
  await writer.update(other, ref, field, type.normalize(field, remaining));
}

/** The records of `other` whose relation `field` contains `id`. */
async function referencing(exec: Executor, dialect: Dialect, other: Collection, field: Field, id: string): Promise<RecordValues[]> {
  const column = sql`root.${sql.ref(field.name)}`;
  const match = getFieldType('relation')!.isMultiple(field) ? dialect.jsonArrayContains(column, sql`${id}`) : sql`${column} = ${id}`;
  const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${sql.table(other.name)} AS root WHERE ${match}`.execute(exec);
  return rows.map((r) => rowToValues(other, r));
}

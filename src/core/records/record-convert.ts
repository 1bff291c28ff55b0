/**
 * Converts stored record values when a collection change alters a field's shape
 * (maxSelect crossing 1: "a" ↔ ["a"]). Each converted record is a write of its own
 * through the record write pipeline, so model hooks see it and its event leaves
 * after the schema change commits.
 */
import { sql } from 'kysely';
import type { Collection, Field } from '../collections/collection.js';
import { getFieldType } from '../fields/field-registry.js';
import { RecordModel } from './record-model.js';
import { rowToValues } from './record-store.js';
import type { RecordWriter } from './record-write.js';
import type { WriteScope } from './write-scope.js';

/** Rewrites every record of `next` whose field values changed shape between `old` and `next`. */
export async function convertFieldValues(writer: RecordWriter, scope: WriteScope, old: Collection, next: Collection): Promise<void> {
  const changed = reshapedFields(old, next);
  if (changed.length === 0) return;
  // The columns were renamed already; the values still have the old shape.
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(next.name)}`.execute(scope.trx);
  for (const row of rows) {
    const stored: Record<string, unknown> = { ...rowToValues(next, row) };
    const converted: Record<string, unknown> = {};
    for (const { before, after } of changed) {
      const type = getFieldType(after.type)!;
      stored[after.name] = type.fromDb(before, row[after.name]);
      converted[after.name] = type.normalize(after, stored[after.name]);
    }
    const record = RecordModel.fromStored(next, stored);
    record.replaceValues({ ...stored, ...converted }, Object.keys(converted));
    await writer.save(scope, record, { validate: false, message: 'Failed to update collection.' });
  }
}

/** The fields of `next` that switch between one value and many. */
function reshapedFields(old: Collection, next: Collection): { before: Field; after: Field }[] {
  const byId = new Map(old.fields.map((f) => [f.id, f]));
  const out: { before: Field; after: Field }[] = [];
  for (const after of next.fields) {
    const before = byId.get(after.id);
    const type = getFieldType(after.type);
    if (before && type && before.type === after.type && type.isMultiple(before) !== type.isMultiple(after)) out.push({ before, after });
  }
  return out;
}

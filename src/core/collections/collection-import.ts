/**
 * `PUT /api/collections/import` without the database (spec §2): which stored
 * collection each imported item updates, how fields are kept, what is deleted,
 * and the validation of the result as one schema.
 */
import { badRequest, type ErrorData } from '../../errors/app-error.js';
import type { Collection, Field } from './collection.js';
import { INVALID_FORMAT_MESSAGE, isObject, parseFieldList, type JsonObject } from './collection-fields.js';
import { mergeCollectionPatch, normalizeNewCollection } from './collection-normalize.js';
import { validateCollection, type CollectionValidateContext } from './collection-validate.js';
import { codeError } from '../../errors/code-error.js';

/** One collection to save: the imported model and, when it updates one, the stored version. */
export interface ImportUpsert {
  old?: Collection;
  next: Collection;
}

/** What an import does, in order: delete, then save each upsert. */
export interface ImportPlan {
  /** Non-system stored collections absent from the payload (only with deleteMissing). */
  deletes: Collection[];
  /** Imported collections, views last so their queries can see the tables saved before them. */
  upserts: ImportUpsert[];
}

/** The stored collection an imported item updates: matched by its id, else by its name (case-insensitive). */
export function findImportTarget(stored: readonly Collection[], item: JsonObject): Collection | undefined {
  const id = typeof item.id === 'string' ? item.id : '';
  const identifier = id || (typeof item.name === 'string' ? item.name : '');
  if (identifier === '') return undefined;
  const lower = identifier.toLowerCase();
  return stored.find((c) => c.id === identifier) ?? stored.find((c) => c.name.toLowerCase() === lower);
}

/**
 * Plans an import. An existing collection gets the item merged over it; its fields
 * not in the item are kept (all of them, or only system ones with deleteMissing),
 * and an imported field without a known id takes the id of the stored field of the
 * same name and type, so its column survives. Throws a 400 for an empty payload.
 */
export function planImport(stored: readonly Collection[], items: unknown, deleteMissing: boolean): ImportPlan {
  if (!Array.isArray(items) || items.length === 0) {
    throw badRequest('Failed to import collections.', { collections: codeError('validation_required') });
  }
  const taken = new Set(stored.map((c) => c.id));
  const upserts: ImportUpsert[] = [];
  for (const item of items) {
    if (!isObject(item)) throw badRequest(INVALID_FORMAT_MESSAGE);
    const old = findImportTarget(stored, item);
    if (old) {
      const data: JsonObject = { ...item };
      if (data.fields === undefined || data.fields === null) data.fields = deleteMissing ? [] : old.fields;
      data.fields = mergeImportedFields(old.fields, parseFieldList(data.fields), deleteMissing);
      upserts.push({ old, next: mergeCollectionPatch(old, data) });
    } else {
      const next = normalizeNewCollection(item, taken);
      taken.add(next.id);
      upserts.push({ next });
    }
  }
  upserts.sort((a, b) => Number(a.next.type === 'view') - Number(b.next.type === 'view'));
  const kept = new Set(upserts.map((u) => u.next.id));
  const deletes = deleteMissing ? stored.filter((c) => !c.system && !kept.has(c.id)) : [];
  return { deletes, upserts };
}

function mergeImportedFields(existing: readonly Field[], imported: Field[], deleteMissing: boolean): Field[] {
  const out = [...imported];
  for (const field of existing) {
    if (deleteMissing && !field.system) continue;
    if (out.some((f) => f.id === field.id)) continue;
    const sameName = out.find((f) => f.name === field.name && f.type === field.type);
    if (sameName) sameName.id = field.id;
    else out.push(structuredClone(field));
  }
  return out;
}

/**
 * Validates every upsert of a plan against the schema as it will be after the
 * import; returns `{collections: validation_collections_import_failure}` naming the
 * first failing collection and its errors, or null.
 */
export function validateImportPlan(
  plan: ImportPlan,
  stored: readonly Collection[],
  validateRule: CollectionValidateContext['validateRule'],
): ErrorData | null {
  const gone = new Set([...plan.deletes.map((c) => c.id), ...plan.upserts.map((u) => u.old?.id ?? u.next.id)]);
  const after = [...stored.filter((c) => !gone.has(c.id)), ...plan.upserts.map((u) => u.next)];
  for (const { old, next } of plan.upserts) {
    const others = after.filter((c) => c !== next);
    const errors = validateCollection(next, { old, collections: others, validateRule });
    if (errors) {
      const message = `Data validations failed for collection "${next.name}" (${next.id}): ${JSON.stringify(errors)}`;
      return { collections: codeError('validation_collections_import_failure', undefined, message) };
    }
  }
  return null;
}

/**
 * What the records screen knows about a collection's fields (docs/dashboard.md, "Records"):
 * which ones are columns, which relations to expand, and how a related record presents itself.
 */
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';

/** The fields a record form never edits: the id is shown, autodates are set by the server. */
export function isEditableField(field: CollectionField): boolean {
  if (field.type === 'autodate') return false;
  // The auth system's token key is internal; the password is edited through its own input.
  return !(field.name === 'tokenKey' && field.type === 'text' && field.system);
}

/** The fields shown as columns by default: all but passwords and the token key. */
export function columnFields(collection: CollectionModel): CollectionField[] {
  return collection.fields.filter((f) => f.type !== 'password' && !(f.system && f.name === 'tokenKey'));
}

/** The relation fields among `names`, for the `expand=` of the list. */
export function expandFor(collection: CollectionModel, names: readonly string[]): string {
  return collection.fields.filter((f) => f.type === 'relation' && names.includes(f.name)).map((f) => f.name).join(',');
}

/** The fields a related record is shown by: its presentable ones, else none (the id is shown). */
export function presentableFields(collection: CollectionModel | undefined): string[] {
  if (!collection) return [];
  return collection.fields.filter((f) => f.presentable).map((f) => f.name);
}

/** A short text for a related record: its presentable values, else its id. */
export function presentRecord(record: RecordModel, fields: readonly string[]): string {
  const parts = fields.map((name) => record[name]).filter((v) => v !== undefined && v !== null && v !== '').map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return parts.length > 0 ? parts.join(' · ') : record.id;
}

/**
 * The default sort of the table: newest first, by insertion order (`-@rowid`, as PocketBase's
 * dashboard asks); a view has no row id, so `-created` when it has one, else its id.
 */
export function defaultSort(collection: CollectionModel): string {
  if (collection.type !== 'view') return '-@rowid';
  return collection.fields.some((f) => f.name === 'created') ? '-created' : 'id';
}

/** Whether `field` allows more than one value (select, relation and file with maxSelect > 1). */
export function isMultiple(field: CollectionField): boolean {
  return Number(field.maxSelect ?? 1) > 1;
}

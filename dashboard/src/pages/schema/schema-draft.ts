/**
 * The collection being edited in the schema screens (docs/dashboard.md, "Collections editor"):
 * its JSON as the API gives it (docs/api.md §2.1), the new-field defaults of each field type,
 * and the payload sent back on save.
 */
import type { CollectionField } from 'pocketbase';

/** A JSON object of the collection API: its option objects are open-ended, so they stay loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/** A field as edited: the API's field plus `key`, a local identity for rendering that is never sent. */
export type FieldDraft = CollectionField & { key: string };

/** A collection as edited. */
export interface Draft extends Json {
  id?: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  system?: boolean;
  fields: FieldDraft[];
  indexes: string[];
}

/** The field types of the spec (docs/api.md §2.5), in the order the "Add field" menu lists them. */
export const FIELD_TYPES = [
  'text', 'editor', 'number', 'bool', 'email', 'url', 'date', 'autodate', 'select', 'file', 'relation', 'json', 'geoPoint', 'password',
] as const;

/** The rules every collection has, and their labels (docs/api.md §2.2). */
export const API_RULES = [
  ['listRule', 'List/Search rule'],
  ['viewRule', 'View rule'],
  ['createRule', 'Create rule'],
  ['updateRule', 'Update rule'],
  ['deleteRule', 'Delete rule'],
] as const;

let nextKey = 1;

/** A fresh local key for a field row. */
export function fieldKey(): string {
  return `f${nextKey++}`;
}

/** A draft of `collection` (deep-copied, so editing never touches the loaded one). */
export function toDraft(collection: Json): Draft {
  const copy = structuredClone(collection) as Draft;
  copy.fields = (copy.fields ?? []).map((f) => ({ ...f, key: fieldKey() }));
  copy.indexes = copy.indexes ?? [];
  return copy;
}

/** The options a new field of `type` starts with (the server fills the rest with its defaults). */
export function newField(type: string, name: string): FieldDraft {
  const base = { key: fieldKey(), id: '', name, type, system: false, hidden: false, presentable: false };
  const common = { ...base, required: false, help: '' };
  switch (type) {
    case 'autodate': return { ...base, onCreate: true, onUpdate: false };
    case 'select': return { ...common, values: [], maxSelect: 1 };
    case 'relation': return { ...common, collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 1 };
    case 'file': return { ...common, maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false };
    case 'number': return { ...common, min: null, max: null, onlyInt: false };
    default: return common;
  }
}

/** A name for a new field that no other field has: `field`, `field2`, … */
export function freeFieldName(fields: readonly FieldDraft[]): string {
  const taken = new Set(fields.map((f) => f.name.toLowerCase()));
  for (let i = 1; ; i++) {
    const name = i === 1 ? 'field' : `field${i}`;
    if (!taken.has(name)) return name;
  }
}

/** The JSON sent to create or update the collection: the local keys go, a new field's empty id goes. */
export function toPayload(draft: Draft): Json {
  const { fields, ...rest } = draft;
  const payload: Json = { ...rest };
  payload.fields = fields.map(({ key: _key, ...field }) => {
    const out: Json = { ...field };
    if (!out.id) delete out.id;
    return out;
  });
  if (draft.type === 'view') {
    // A view's fields are derived from its query; its write rules must stay null (docs/api.md §2.1).
    delete payload.fields;
    delete payload.indexes;
    payload.createRule = null;
    payload.updateRule = null;
    payload.deleteRule = null;
  }
  return payload;
}

/** A comma- or newline-separated list as typed in a box → its trimmed, non-empty items. */
export function parseList(text: string): string[] {
  return text.split(/[,\n]/).map((item) => item.trim()).filter(Boolean);
}

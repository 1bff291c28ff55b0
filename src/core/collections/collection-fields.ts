/**
 * The field list of a submitted collection: turning raw JSON items into fields
 * with ids (PocketBase's FieldsList rules) and adding the system fields a
 * collection type requires (docs/api.md §2.3, §2.4).
 */
import { badRequest } from '../../errors/app-error.js';
import type { CollectionType, Field, FieldTypeName } from './collection.js';
import { applyFieldDefaults, authSystemFields, defaultFieldId, idField } from './collection-defaults.js';

/** The message of a 400 for a body whose shape is not a collection's. */
export const INVALID_FORMAT_MESSAGE = 'Failed to load the submitted data due to invalid formatting.';

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** Tests whether a value is a plain JSON object. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON scalar read as a string: strings stay, numbers and booleans are printed, anything else is the fallback. */
export function asString(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fallback;
}

/** A JSON value read as a boolean: booleans stay, `"true"`/`1` are true, absent is the fallback. */
export function asBool(v: unknown, fallback = false): boolean {
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return fallback;
  return v === 'true' || v === 1 || v === '1';
}

/**
 * Builds the field list from the submitted `fields` JSON. A field without an id
 * gets `type + CRC32(name)` (suffixed on clash) or, when an earlier field has the
 * same name, takes its place (last wins); a field with an id replaces an earlier
 * one with that id. Throws a 400 when `fields` is not an array of objects.
 */
export function parseFieldList(raw: unknown): Field[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest(INVALID_FORMAT_MESSAGE);
  const list: Field[] = [];
  for (const item of raw) {
    if (!isObject(item)) throw badRequest(INVALID_FORMAT_MESSAGE);
    addField(list, toField(item));
  }
  return list;
}

function toField(item: JsonObject): Field {
  const copy = structuredClone(item);
  return {
    ...copy,
    id: asString(copy.id),
    name: asString(copy.name),
    type: asString(copy.type) as FieldTypeName,
    system: asBool(copy.system),
    hidden: asBool(copy.hidden),
    presentable: asBool(copy.presentable),
  };
}

function addField(list: Field[], field: Field): void {
  if (field.id === '') {
    field.id = uniqueFieldId(list, defaultFieldId(field.type, field.name));
    const same = field.name === '' ? -1 : list.findIndex((f) => f.name === field.name);
    if (same >= 0) {
      field.id = list[same]!.id;
      list[same] = field;
      return;
    }
  } else {
    const same = list.findIndex((f) => f.id === field.id);
    if (same >= 0) {
      list[same] = field;
      return;
    }
  }
  list.push(field);
}

function uniqueFieldId(list: readonly Field[], base: string): string {
  let id = base;
  for (let i = 2; list.some((f) => f.id === id); i++) id = base + i;
  return id;
}

type Enforce = Partial<Pick<Field, 'system' | 'hidden' | 'required' | 'primaryKey'>>;

/** What each system field keeps whatever the client sends (PocketBase's initDefaultFields). */
const ENFORCED: Record<string, Enforce> = {
  id: { system: true, required: true, primaryKey: true, hidden: false },
  password: { system: true, hidden: true, required: true },
  tokenKey: { system: true, hidden: true, required: true },
  email: { system: true, hidden: false },
  emailVisibility: { system: true },
  verified: { system: true },
};

/**
 * Adds the system fields a collection type requires when missing (id first, the
 * auth ones appended) and re-asserts their fixed properties, then fills every
 * field's type defaults. A name taken by a field of another type, or a default id
 * taken by a renamed field, is left for the validator to report.
 */
export function withSystemFields(type: CollectionType, fields: Field[]): Field[] {
  const out = [...fields];
  const required = type === 'auth' ? authSystemFields() : type === 'base' ? [idField()] : [];
  for (const def of required) {
    const existing = out.find((f) => f.name === def.name);
    if (existing) {
      if (existing.type === def.type) enforce(existing, def.name);
      continue;
    }
    if (out.some((f) => f.id === def.id)) continue;
    if (def.name === 'id') out.unshift(def);
    else out.push(def);
  }
  return out.map((f) => applyFieldDefaults(f));
}

function enforce(field: Field, name: string): void {
  Object.assign(field, ENFORCED[name]);
  if (name === 'id' && !field.pattern) field.pattern = '^[a-z0-9]+$';
}

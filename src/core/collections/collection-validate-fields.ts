/**
 * Validation of a collection's `fields` list (docs/api.md §2.3, §2.4). Like PocketBase,
 * the checks run in order and the first failing one answers for `fields`.
 */
import type { ErrorData, FieldError } from '../../errors/app-error.js';
import { getFieldType } from '../fields/field-registry.js';
import type { Collection, Field } from './collection.js';
import { codeError } from '../../errors/code-error.js';

const NAME_PATTERN = /^\w+$/;
// `__proto__`: a JSON body naming it is refused (the parser guards against prototype
// poisoning), so a field of that name could never be written.
const RESERVED_FIELD_NAMES = new Set(['null', 'true', 'false', '_rowid_', 'collectionid', 'collectionname', 'expand', '__proto__']);
const RESERVED_AUTH_NAMES = new Set(['passwordConfirm', 'oldPassword']);

/** The auth system fields with the type and flags they must keep. */
const AUTH_SYSTEM: { name: string; type: Field['type']; hidden?: boolean }[] = [
  { name: 'password', type: 'password', hidden: true },
  { name: 'tokenKey', type: 'text', hidden: true },
  { name: 'email', type: 'email' },
  { name: 'emailVisibility', type: 'bool' },
  { name: 'verified', type: 'bool' },
];

/** What the fields validation looks at besides the new collection. */
export interface FieldsContext {
  old?: Collection;
  /** Every collection with the new one as submitted, for the types' reference checks. */
  collections: readonly Collection[];
}

/** Validates the field list; returns the error for the `fields` key or null. */
export function validateFields(next: Collection, ctx: FieldsContext): FieldError | ErrorData | null {
  const fields = Array.isArray(next.fields) ? next.fields : [];
  if (fields.length === 0) return codeError('validation_required');
  return (
    checkDuplicates(fields) ??
    checkRequiredFields(next, fields) ??
    (next.type !== 'view' ? checkSystemFieldsKept(fields, ctx.old) ?? checkTypesKept(fields, ctx.old) : null) ??
    (next.type === 'auth' ? checkReservedAuthNames(fields) : null) ??
    checkEachField(next, fields, ctx)
  );
}

function checkDuplicates(fields: readonly Field[]): ErrorData | null {
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const [i, f] of fields.entries()) {
    if (ids.has(f.id)) return { [i]: { id: codeError('validation_field_id_duplicate') } };
    const lower = String(f.name).toLowerCase();
    if (names.has(lower)) return { [i]: { name: codeError('validation_field_name_duplicate') } };
    ids.add(f.id);
    names.add(lower);
  }
  return null;
}

function checkRequiredFields(next: Collection, fields: readonly Field[]): FieldError | null {
  const id = fields.find((f) => f.name === 'id');
  if (!id || id.type !== 'text' || id.primaryKey !== true) return codeError('validation_missing_primary_key');
  if (next.type !== 'auth') return null;
  for (const want of AUTH_SYSTEM) {
    const f = fields.find((x) => x.name === want.name);
    if (!f || f.type !== want.type || !f.system || (want.hidden && !f.hidden)) {
      return codeError('validation_missing_system_field', { field: want.name });
    }
  }
  return null;
}

function checkSystemFieldsKept(fields: readonly Field[], old: Collection | undefined): FieldError | null {
  if (!old) return null;
  for (const was of old.fields) {
    if (!was.system) continue;
    const now = fields.find((f) => f.id === was.id);
    if (!now || now.name !== was.name) return codeError('validation_system_field_change');
  }
  return null;
}

function checkTypesKept(fields: readonly Field[], old: Collection | undefined): ErrorData | null {
  if (!old) return null;
  const errors: ErrorData = {};
  for (const [i, f] of fields.entries()) {
    const was = old.fields.find((o) => o.id === f.id);
    if (was && was.type !== f.type) errors[i] = { type: codeError('validation_field_type_change') };
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

function checkReservedAuthNames(fields: readonly Field[]): ErrorData | null {
  const errors: ErrorData = {};
  for (const [i, f] of fields.entries()) {
    if (RESERVED_AUTH_NAMES.has(f.name)) errors[i] = { name: codeError('validation_field_name_invalid') };
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

function checkEachField(next: Collection, fields: readonly Field[], ctx: FieldsContext): ErrorData | null {
  const errors: ErrorData = {};
  for (const [i, f] of fields.entries()) {
    const own: ErrorData = {};
    const idError = checkFieldId(f.id);
    if (idError) own.id = idError;
    const nameError = checkFieldName(f.name);
    if (nameError) own.name = nameError;
    const type = typeof f.type === 'string' ? getFieldType(f.type) : undefined;
    if (!type) {
      own.type = codeError('validation_field_invalid_type');
    } else {
      const old = ctx.old?.fields.find((o) => o.id === f.id && o.type === f.type);
      const options = type.validateOptions(f, { collection: next, collections: ctx.collections, old });
      // Common-property errors answer first; the type's own errors fill the rest.
      for (const [key, value] of Object.entries(options ?? {}) as [string, FieldError | ErrorData][]) {
        if (!(key in own)) own[key] = value;
      }
    }
    if (Object.keys(own).length > 0) errors[i] = own;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

function checkFieldId(id: unknown): FieldError | null {
  if (typeof id !== 'string' || id === '') return codeError('validation_required');
  if ([...id].length > 100) return codeError('validation_length_out_of_range', { min: 1, max: 100 });
  return null;
}

/** Checks a field name against docs/api.md §2.3; returns the first error or null. */
export function checkFieldName(name: unknown): FieldError | null {
  if (typeof name !== 'string' || name === '') return codeError('validation_required');
  if ([...name].length > 100) return codeError('validation_length_out_of_range', { min: 1, max: 100 });
  if (!NAME_PATTERN.test(name)) return codeError('validation_match_invalid');
  if (RESERVED_FIELD_NAMES.has(name.toLowerCase())) return codeError('validation_not_in_invalid');
  if (name.toLowerCase().includes('_via_')) return codeError('validation_found_via');
  return null;
}


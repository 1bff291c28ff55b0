/**
 * The record editor's state and the request body it makes (docs/dashboard.md, "Records"): one
 * value per editable field, kept in the shape its input edits (JSON as text, files as kept
 * names plus new files), turned into what the SDK sends on save.
 */
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';
import { isEditableField, isMultiple } from './record-fields.js';
import type { FileChoice } from './file-input.js';
import type { GeoPoint } from './geo-point-input.js';
import { parseJsonText } from './json-input.js';
import { sanitizeHtml } from './sanitize-html.js';

/** The form's values by field name (the password adds `passwordConfirm`). */
export type FormValues = Record<string, unknown>;

/** The fields the form shows, in the collection's order. */
export function formFields(collection: CollectionModel): CollectionField[] {
  return collection.fields.filter((f) => isEditableField(f) && !(f.name === 'id' && f.system));
}

/** The form's starting values: the record's, or each type's empty value. */
export function initialValues(collection: CollectionModel, record: RecordModel | null): FormValues {
  const values: FormValues = {};
  for (const field of formFields(collection)) {
    const value: unknown = record?.[field.name];
    switch (field.type) {
      case 'bool': values[field.name] = Boolean(value); break;
      case 'number': values[field.name] = value === undefined || value === null ? '' : String(value); break;
      case 'json': values[field.name] = value === undefined || value === null ? '' : JSON.stringify(value, null, 2); break;
      case 'file': values[field.name] = { kept: toList(value), added: [] } satisfies FileChoice; break;
      case 'select': case 'relation': values[field.name] = toList(value); break;
      case 'geoPoint': values[field.name] = { lon: 0, lat: 0, ...(value as Partial<GeoPoint> | undefined) } satisfies GeoPoint; break;
      case 'password': values[field.name] = ''; values.passwordConfirm = ''; break;
      // Sanitized on the way in too, so saving a record never writes back markup the editor would drop.
      case 'editor': values[field.name] = typeof value === 'string' ? sanitizeHtml(value) : ''; break;
      default: values[field.name] = value === undefined || value === null ? '' : String(value);
    }
  }
  return values;
}

/** The body to send, or the per-field errors that stop the save (invalid JSON). */
export function recordBody(collection: CollectionModel, record: RecordModel | null, values: FormValues): { body: Record<string, unknown> } | { errors: Record<string, string> } {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of formFields(collection)) {
    const value = values[field.name];
    switch (field.type) {
      case 'number': body[field.name] = value === '' ? null : Number(value); break;
      case 'json': {
        const parsed = parseJsonText(String(value));
        if (parsed.ok) body[field.name] = parsed.value;
        else errors[field.name] = parsed.message;
        break;
      }
      case 'select': case 'relation': {
        const list = value as string[];
        body[field.name] = isMultiple(field) ? list : (list[0] ?? '');
        break;
      }
      case 'file': addFiles(body, field, record, value as FileChoice); break;
      case 'password':
        // An empty password on edit keeps the current one.
        if (value !== '' || !record) {
          body[field.name] = value;
          body.passwordConfirm = values.passwordConfirm;
        }
        break;
      default: body[field.name] = value;
    }
  }
  return Object.keys(errors).length > 0 ? { errors } : { body };
}

/** A file field's part of the body: new files, and on edit the stored names that were removed. */
function addFiles(body: Record<string, unknown>, field: CollectionField, record: RecordModel | null, choice: FileChoice): void {
  const before = toList(record?.[field.name]);
  if (!isMultiple(field)) {
    if (choice.added[0]) body[field.name] = choice.added[0];
    else if (before.length > 0 && choice.kept.length === 0) body[field.name] = null;
    return;
  }
  if (!record) {
    if (choice.added.length > 0) body[field.name] = choice.added;
    return;
  }
  const removed = before.filter((name) => !choice.kept.includes(name));
  if (removed.length > 0) body[`${field.name}-`] = removed;
  if (choice.added.length > 0) body[`${field.name}+`] = choice.added;
}

function toList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value ? [String(value)] : [];
}

/**
 * The JSON Schemas of one field (docs/openapi.md): what a record answer holds
 * (docs/api.md §3.6) and what a create or update body may send (§2.5).
 */
import type { Field } from '../collections/collection.js';
import type { JsonSchema } from './openapi-types.js';

/** The date layout of docs/api.md §1.6, for descriptions. */
const DATE_HELP = 'UTC datetime "2006-01-02 15:04:05.000Z", or "" when unset.';

/** Whether a multi-value field (select, relation, file) holds an array. */
function isMultiple(field: Field): boolean {
  return typeof field.maxSelect === 'number' && field.maxSelect > 1;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function withHelp(schema: JsonSchema, field: Field): JsonSchema {
  return typeof field.help === 'string' && field.help !== '' ? { ...schema, description: field.help } : schema;
}

/** The schema of a field's value in a record answer; undefined for a field never returned (password). */
export function fieldValueSchema(field: Field): JsonSchema | undefined {
  const schema = valueSchema(field);
  return schema && withHelp(schema, field);
}

function valueSchema(field: Field): JsonSchema | undefined {
  switch (field.type) {
    case 'password':
      return undefined;
    case 'number':
      return { type: field.onlyInt === true ? 'integer' : 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'date':
    case 'autodate':
      return { type: 'string', description: DATE_HELP };
    case 'select': {
      const values = stringList(field.values);
      if (isMultiple(field)) return { type: 'array', items: { type: 'string', enum: values } };
      return { type: 'string', enum: [...values, ''] };
    }
    case 'relation':
    case 'file': {
      const what = field.type === 'file' ? 'file name' : 'record id';
      if (isMultiple(field)) return { type: 'array', items: { type: 'string' }, description: `${what}s` };
      return { type: 'string', description: `a ${what}, or ""` };
    }
    case 'json':
      return {};
    case 'geoPoint':
      return {
        type: 'object',
        properties: { lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 } },
        required: ['lon', 'lat'],
      };
    case 'text':
    case 'email':
    case 'url':
    case 'editor':
    default:
      return { type: 'string' };
  }
}

/**
 * The schema of a field in a JSON body; undefined for a field a body cannot set
 * (autodate, whose client values are ignored).
 */
export function fieldInputSchema(field: Field): JsonSchema | undefined {
  if (field.type === 'autodate') return undefined;
  if (field.type === 'password') {
    const schema: JsonSchema = { type: 'string', writeOnly: true };
    if (typeof field.min === 'number' && field.min > 0) schema.minLength = field.min;
    return withHelp(schema, field);
  }
  const value = valueSchema(field);
  if (!value) return undefined;
  if (field.type === 'text') {
    if (typeof field.min === 'number' && field.min > 0) value.minLength = field.min;
    if (typeof field.max === 'number' && field.max > 0) value.maxLength = field.max;
  }
  if (field.type === 'number') {
    if (typeof field.min === 'number') value.minimum = field.min;
    if (typeof field.max === 'number') value.maximum = field.max;
  }
  return withHelp(value, field);
}

/**
 * The schema of a file field in a multipart body: one upload, or several for a
 * multi-file field (names of stored files may be sent beside them as text).
 */
export function fileUploadSchema(field: Field): JsonSchema {
  const upload: JsonSchema = { type: 'string', contentMediaType: 'application/octet-stream' };
  const mimeTypes = stringList(field.mimeTypes);
  if (mimeTypes.length > 0) upload.description = `one of ${mimeTypes.join(', ')}`;
  return isMultiple(field) ? { type: 'array', items: upload } : upload;
}

/** Whether a field must be sent on create: required, and not filled in by the server. */
export function isRequiredOnCreate(field: Field): boolean {
  if (field.required !== true || field.type === 'autodate' || field.type === 'bool') return false;
  return !(field.type === 'text' && typeof field.autogeneratePattern === 'string' && field.autogeneratePattern !== '');
}

/**
 * The `json` field type (docs/api.md §2.5): any JSON value, `null` when unset, with
 * PocketBase's rules for string input (so multipart forms can send JSON).
 */
import type { FieldType } from './field-type.js';
import { castToString } from './field-cast.js';
import { isPlainObject } from '../../tools/is-plain-object.js';
import { checkOptionKinds, checkRange, maxSafeJSONInt, numOpt, shapeField } from './field-common.js';
import { codeError } from '../../errors/code-error.js';

/** The size cap when `maxSize` is 0: 1 MiB of JSON text. */
export const defaultJsonMaxSize = 1 << 20;

const keys = { required: true, help: true };

/**
 * A string input → JSON value: `null`/`true`/`false` and valid JSON starting with a
 * digit, `-`, `"`, `[` or `{` are decoded; any other string (also "") is kept as a
 * JSON string.
 */
export function normalizeJsonString(s: string): unknown {
  if (s === 'null') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^[0-9\-"[{]/.test(s)) {
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  }
  return s;
}

/** The JSON text of a value, or undefined when it has none (functions, cycles, BigInts). */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch {
    return undefined;
  }
}

function isBlankJson(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** The `json` FieldType. */
export const jsonField: FieldType = {
  type: 'json',

  withDefaults: (field) => shapeField(field, { maxSize: 0 }, keys),

  validateOptions(field) {
    const errors = checkOptionKinds(field, { maxSize: 'int' }, keys);
    checkRange(errors, field, 'maxSize', 0, maxSafeJSONInt);
    return errors.result();
  },

  columnKind: () => 'json',
  isMultiple: () => false,
  defaultValue: () => null,

  normalize(_field, raw) {
    if (raw === undefined) return null;
    if (typeof raw === 'string') return normalizeJsonString(raw);
    if (Buffer.isBuffer(raw)) return normalizeJsonString(castToString(raw));
    return raw;
  },

  applyModifier: () => undefined,

  validate(field, value) {
    const text = jsonText(value);
    if (text === undefined) return codeError('validation_invalid_json');
    const maxSize = numOpt(field, 'maxSize') > 0 ? numOpt(field, 'maxSize') : defaultJsonMaxSize;
    if (Buffer.byteLength(text, 'utf8') > maxSize) return codeError('validation_json_size_limit', { maxSize });
    if (field.required === true && isBlankJson(value)) return codeError('validation_required');
    return null;
  },

  fromDb(_field, stored) {
    if (stored === null || stored === undefined) return null;
    // NOTE: a string is always JSON text (SQLite). A driver that decodes JSON itself
    // (pg's jsonb parser) must hand over text or non-string values, or a stored JSON
    // string like "12" would be read back as the number 12.
    if (typeof stored === 'string' || Buffer.isBuffer(stored)) {
      const text = castToString(stored);
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
    return stored;
  },

  toDb(_field, value) {
    if (value === null || value === undefined) return null;
    return jsonText(value) ?? null;
  },
};

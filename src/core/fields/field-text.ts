/**
 * The `text` field type (docs/api.md §2.5), which is also the record `id` field
 * when `primaryKey` is set (docs/api.md §1.5).
 */
import type { FieldError } from '../../errors/app-error.js';
import type { Field } from '../collections/collection.js';
import type { FieldType } from './field-type.js';
import { randomFromPattern } from '../../tools/random-from-pattern.js';
import { castToString } from './field-cast.js';
import { boolOpt, checkOptionKinds, checkRange, maxSafeJSONInt, numOpt, shapeField, strOpt } from './field-common.js';
import { compilePattern, matchesPattern } from './field-regex.js';
import { scalarTextStorage } from './field-text-storage.js';
import { codePointLength } from '../../tools/code-points.js';
import { codeError } from '../../errors/code-error.js';
import { checkSearchable, withSearchable } from './field-searchable.js';

/** The cap applied when `max` is 0 (docs/api.md §2.5), in code points. */
export const defaultTextMax = 5000;

/** The pattern of default record ids; ids under it skip the extra primary-key checks. */
export const defaultIdPattern = '^[a-z0-9]+$';

const keys = { required: true, help: true };

// Characters that break ids used as directory names (docs/api.md §1.5), in PocketBase's order.
const forbiddenPkChars = ['.', '/', '\\', '|', '"', "'", '`', '<', '>', ':', '?', '*', '%', '$', '\0', '\t', '\n', '\r', ' '];

const reservedPks = [
  'CON', 'PRN', 'AUX', 'NUL',
  ...Array.from({ length: 9 }, (_, i) => `COM${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `LPT${i + 1}`),
];

/** Validates a plain string against a text field's options (shared with the autogenerate check). */
export function validateTextValue(field: Field, value: string): FieldError | null {
  const primaryKey = boolOpt(field, 'primaryKey');
  if (value === '') return boolOpt(field, 'required') || primaryKey ? codeError('validation_required') : null;

  // NOTE: lengths count code points (Go's []rune), not UTF-16 units.
  const length = codePointLength(value);
  const min = numOpt(field, 'min');
  if (min > 0 && length < min) return codeError('validation_min_text_constraint', { min });
  const max = numOpt(field, 'max') || defaultTextMax;
  if (max > 0 && length > max) return codeError('validation_max_text_constraint', { max });

  const pattern = strOpt(field, 'pattern');
  if (pattern !== '' && !matchesPattern(pattern, value)) return codeError('validation_invalid_format');

  if (primaryKey && pattern !== defaultIdPattern) {
    for (const ch of forbiddenPkChars) {
      if (value.includes(ch)) return codeError('validation_forbidden_pk_character', { ch });
    }
    const upper = value.toUpperCase();
    const reserved = reservedPks.find((r) => r === upper);
    if (reserved) return codeError('validation_reserved_pk', { reserved });
  }
  return null;
}

/** The `text` FieldType. */
export const textField: FieldType = {
  type: 'text',

  withDefaults(field) {
    return withSearchable(field, shapeField(
      field,
      { min: 0, max: 0, pattern: '', autogeneratePattern: '', primaryKey: false },
      keys,
    ));
  },

  validateOptions(field, ctx) {
    const errors = checkOptionKinds(
      field,
      { min: 'int', max: 'int', pattern: 'string', autogeneratePattern: 'string', primaryKey: 'bool' },
      keys,
    );
    const primaryKey = boolOpt(field, 'primaryKey');
    if (primaryKey) {
      if (field.name !== 'id') errors.set('name', codeError('validation_in_invalid', undefined, 'The primary key must be named "id".'));
      const pks = ctx.collection.fields.filter((f) => f.type === 'text' && f.primaryKey === true).length;
      if (pks > 1) errors.set('primaryKey', codeError('validation_unsupported_composite_pk'));
      if (field.hidden === true) errors.set('hidden', codeError('validation_empty'));
      if (field.required !== true) errors.set('required', codeError('validation_required'));
    }

    checkRange(errors, field, 'min', 0, maxSafeJSONInt);
    checkRange(errors, field, 'max', numOpt(field, 'min'), maxSafeJSONInt);

    const pattern = strOpt(field, 'pattern');
    if (primaryKey && pattern === '') errors.set('pattern', codeError('validation_required'));
    if (pattern !== '' && !compilePattern(pattern)) errors.set('pattern', codeError('validation_invalid_regex'));

    const auto = strOpt(field, 'autogeneratePattern');
    if (auto !== '' && !errors.has('autogeneratePattern')) errors.set('autogeneratePattern', checkAutogenerate(field, auto));
    checkSearchable(field, errors);
    return errors.result();
  },

  ...scalarTextStorage(castToString),

  validate(field, value, ctx) {
    const str = castToString(value);
    // An existing id cannot change (the record service reports that); ids inserted
    // by other means may predate the current options, so they are not rechecked.
    if (boolOpt(field, 'primaryKey') && !ctx.isNew && str !== '' && str === ctx.old) return null;
    return validateTextValue(field, str);
  },


  autogenerate(field) {
    const pattern = strOpt(field, 'autogeneratePattern');
    return pattern === '' ? undefined : randomFromPattern(pattern);
  },
};

// Generates a few samples, as PocketBase does, to catch patterns that break min/max/pattern.
function checkAutogenerate(field: Field, pattern: string): FieldError | null {
  if (!compilePattern(pattern)) return codeError('validation_invalid_regex');
  for (let i = 0; i < 10; i++) {
    let sample: string;
    try {
      sample = randomFromPattern(pattern);
    } catch (err) {
      return codeError('validation_invalid_autogenerate_pattern', undefined, sentence(String((err as Error).message ?? err)));
    }
    if (validateTextValue(field, sample)) {
      return codeError(
        'validation_invalid_autogenerate_pattern_value',
        undefined,
        `The provided autogenerate pattern could produce invalid field values, ex.: ${JSON.stringify(sample)}.`,
      );
    }
  }
  return null;
}

function sentence(s: string): string {
  const t = s.trim();
  if (t === '') return 'Invalid autogenerate pattern.';
  const up = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(up) ? up : up + '.';
}

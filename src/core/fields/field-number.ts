/**
 * The `number` field type (docs/api.md §2.5): a float64 where 0 counts as blank,
 * with the `n+` (add) and `n-` (subtract) modifiers.
 */
import type { FieldType } from './field-type.js';
import { castToNumber } from './field-cast.js';
import { boolOpt, checkOptionKinds, nullableNumOpt, shapeField } from './field-common.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: true, help: true };

/** The `number` FieldType. */
export const numberField: FieldType = {
  type: 'number',

  withDefaults: (field) => shapeField(field, { min: null, max: null, onlyInt: false }, keys),

  validateOptions(field) {
    const errors = checkOptionKinds(field, { min: 'nullableNumber', max: 'nullableNumber', onlyInt: 'bool' }, keys);
    const min = nullableNumOpt(field, 'min');
    const max = nullableNumOpt(field, 'max');
    if (boolOpt(field, 'onlyInt')) {
      if (min !== null && !Number.isInteger(min)) errors.set('min', codeError('validation_only_int_constraint'));
      if (max !== null && !Number.isInteger(max)) errors.set('max', codeError('validation_only_int_constraint'));
    }
    if (min !== null && max !== null && max < min) errors.set('max', codeError('validation_min_greater_equal_than_required', { threshold: min }));
    return errors.result();
  },

  columnKind: () => 'number',
  isMultiple: () => false,
  defaultValue: () => 0,
  normalize: (_field, raw) => castToNumber(raw),

  applyModifier(_field, current, modifier, raw) {
    if (modifier === 'append') return castToNumber(current) + castToNumber(raw);
    if (modifier === 'remove') return castToNumber(current) - castToNumber(raw);
    return undefined;
  },

  validate(field, value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return codeError('validation_not_a_number');
    // NOTE: 0 is the blank value: required rejects it and min/max never apply to it.
    if (value === 0) return field.required === true ? codeError('validation_required') : null;
    if (boolOpt(field, 'onlyInt') && !Number.isInteger(value)) return codeError('validation_only_int_constraint');
    const min = nullableNumOpt(field, 'min');
    if (min !== null && value < min) return codeError('validation_min_number_constraint', { min });
    const max = nullableNumOpt(field, 'max');
    if (max !== null && value > max) return codeError('validation_max_number_constraint', { max });
    return null;
  },

  fromDb(_field, stored) {
    // PostgreSQL's NUMERIC arrives as a string; SQLite gives a number.
    const n = castToNumber(stored);
    return Number.isFinite(n) ? n : 0;
  },
  toDb: (_field, value) => castToNumber(value),
};

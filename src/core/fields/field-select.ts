/**
 * The `select` field type (docs/api.md §2.5): one or several of the listed `values`.
 */
import type { FieldType } from './field-type.js';
import { castToUniqueStrings } from './field-cast.js';
import { checkOptionKinds, checkRange, shapeField, strListOpt } from './field-common.js';
import { effectiveMaxSelect, stringListStorage } from './field-multi.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: true, help: true };

/** The `select` FieldType. */
export const selectField: FieldType = {
  type: 'select',

  withDefaults: (field) => shapeField(field, { values: [], maxSelect: 1 }, keys),

  validateOptions(field) {
    const errors = checkOptionKinds(field, { values: 'stringList', maxSelect: 'int' }, keys);
    const values = strListOpt(field, 'values');
    if (values.length === 0) errors.set('values', codeError('validation_required'));
    checkRange(errors, field, 'maxSelect', 0, Math.max(values.length, 1));
    return errors.result();
  },

  ...stringListStorage,

  validate(field, value) {
    const items = castToUniqueStrings(value);
    if (items.length === 0) return field.required === true ? codeError('validation_required') : null;
    const maxSelect = effectiveMaxSelect(field);
    if (items.length > maxSelect) return codeError('validation_too_many_values', { maxSelect });
    const allowed = strListOpt(field, 'values');
    const invalid = items.find((v) => !allowed.includes(v));
    if (invalid !== undefined) return codeError('validation_invalid_value', { value: invalid }, 'Invalid value {value}.');
    return null;
  },
};

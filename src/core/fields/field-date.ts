/**
 * The `date` field type (docs/api.md §2.5): a datetime string of docs/api.md §1.6 or "",
 * with optional `min`/`max` bounds.
 */
import type { FieldType } from './field-type.js';
import { parseDateTime } from '../../tools/datetime.js';
import { checkOptionKinds, shapeField } from './field-common.js';
import { scalarTextStorage } from './field-text-storage.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: true, help: true };

/** The `date` FieldType. */
export const dateField: FieldType = {
  type: 'date',

  withDefaults(field) {
    const out = shapeField(field, { min: '', max: '' }, keys);
    // Go decodes the bounds into DateTime values: unparseable ones become zero ("").
    if (typeof out.min === 'string') out.min = parseDateTime(out.min);
    if (typeof out.max === 'string') out.max = parseDateTime(out.max);
    return out;
  },

  validateOptions(field) {
    const errors = checkOptionKinds(field, { min: 'string', max: 'string' }, keys);
    const min = parseDateTime(field.min);
    const max = parseDateTime(field.max);
    if (min !== '' && max !== '' && max < min) errors.set('max', codeError('validation_date_out_of_range'));
    return errors.result();
  },

  ...scalarTextStorage(parseDateTime),

  validate(field, value) {
    const date = parseDateTime(value);
    if (date === '') return field.required === true ? codeError('validation_required') : null;
    // The wire format sorts lexicographically in time order (fixed-width UTC).
    const min = parseDateTime(field.min);
    if (min !== '' && date < min) return codeError('validation_min_greater_equal_than_required', { threshold: min });
    const max = parseDateTime(field.max);
    if (max !== '' && date > max) return codeError('validation_max_less_equal_than_required', { threshold: max });
    return null;
  },
};

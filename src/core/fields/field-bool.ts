/**
 * The `bool` field type (docs/api.md §2.5); `required` means the value must be true.
 */
import type { FieldType } from './field-type.js';
import { castToBool } from './field-cast.js';
import { checkOptionKinds, shapeField } from './field-common.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: true, help: true };

/** The `bool` FieldType. */
export const boolField: FieldType = {
  type: 'bool',
  withDefaults: (field) => shapeField(field, {}, keys),
  validateOptions: (field) => checkOptionKinds(field, {}, keys).result(),
  columnKind: () => 'bool',
  isMultiple: () => false,
  defaultValue: () => false,
  normalize: (_field, raw) => castToBool(raw),
  applyModifier: () => undefined,
  validate: (field, value) => (field.required === true && value !== true ? codeError('validation_required') : null),
  // SQLite stores 0/1; PostgreSQL returns real booleans; both arrive here.
  fromDb: (_field, stored) => castToBool(stored),
  toDb: (_field, value) => (castToBool(value) ? 1 : 0),
};

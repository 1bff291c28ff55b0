/**
 * The `password` field type (docs/api.md §2.5). Values are never serialized. This type
 * validates the plain text; hashing is the record service's work, which stores
 * the hash through toDb and hands it back through fromDb.
 */
import type { FieldType } from './field-type.js';
import { castToString } from './field-cast.js';
import { checkOptionKinds, checkRange, numOpt, shapeField, strOpt } from './field-common.js';
import { compilePattern, matchesPattern } from './field-regex.js';
import { scalarTextStorage } from './field-text-storage.js';
import { codePointLength } from '../../tools/code-points.js';
import { codeError } from '../../errors/code-error.js';

/** The longest password bcrypt hashes in full (72 bytes, PocketBase allows 71 characters). */
export const passwordMaxLength = 71;

const keys = { required: true, help: true };

/** The `password` FieldType. */
export const passwordField: FieldType = {
  type: 'password',

  withDefaults: (field) => shapeField(field, { min: 0, max: 0, pattern: '', cost: 0 }, keys),

  validateOptions(field) {
    const errors = checkOptionKinds(field, { min: 'int', max: 'int', pattern: 'string', cost: 'int' }, keys);
    checkRange(errors, field, 'min', 1, passwordMaxLength);
    checkRange(errors, field, 'max', numOpt(field, 'min'), passwordMaxLength);
    checkRange(errors, field, 'cost', 4, 31);
    const pattern = strOpt(field, 'pattern');
    if (pattern !== '' && !compilePattern(pattern)) errors.set('pattern', codeError('validation_invalid_regex'));
    return errors.result();
  },

  ...scalarTextStorage(castToString),

  /**
   * `value` is the submitted plain password, or "" when none was submitted;
   * `ctx.old` is the stored hash, which satisfies `required` on its own.
   */
  validate(field, value, ctx) {
    const plain = castToString(value);
    if (plain === '') {
      const hasHash = typeof ctx.old === 'string' && ctx.old !== '';
      return field.required === true && !hasHash ? codeError('validation_required') : null;
    }
    // The stored hash handed back unchanged is not a new password.
    if (plain === ctx.old) return null;
    const length = codePointLength(plain);
    const min = numOpt(field, 'min');
    if (length < min) return codeError('validation_min_text_constraint', { min });
    const max = numOpt(field, 'max') > 0 ? numOpt(field, 'max') : passwordMaxLength;
    if (length > max) return codeError('validation_max_text_constraint', { max });
    const pattern = strOpt(field, 'pattern');
    if (pattern !== '' && !matchesPattern(pattern, plain)) return codeError('validation_invalid_format');
    return null;
  },
};

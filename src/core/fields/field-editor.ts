/**
 * The `editor` field type (docs/api.md §2.5): rich text (HTML) with a size cap in bytes.
 */
import type { FieldType } from './field-type.js';
import { castToString } from './field-cast.js';
import { checkOptionKinds, checkRange, maxSafeJSONInt, numOpt, shapeField } from './field-common.js';
import { scalarTextStorage } from './field-text-storage.js';
import { codeError } from '../../errors/code-error.js';
import { checkSearchable, withSearchable } from './field-searchable.js';

/** The size cap when `maxSize` is 0: 5 MiB. */
export const defaultEditorMaxSize = 5 << 20;

const keys = { required: true, help: true };

/** The `editor` FieldType. */
export const editorField: FieldType = {
  type: 'editor',

  withDefaults: (field) => withSearchable(field, shapeField(field, { maxSize: 0, convertURLs: false }, keys)),

  validateOptions(field) {
    const errors = checkOptionKinds(field, { maxSize: 'int', convertURLs: 'bool' }, keys);
    checkRange(errors, field, 'maxSize', 0, maxSafeJSONInt);
    checkSearchable(field, errors);
    return errors.result();
  },

  ...scalarTextStorage(castToString),

  validate(field, value) {
    const str = castToString(value);
    if (str === '') return field.required === true ? codeError('validation_required') : null;
    const maxSize = numOpt(field, 'maxSize') > 0 ? numOpt(field, 'maxSize') : defaultEditorMaxSize;
    if (Buffer.byteLength(str, 'utf8') > maxSize) return codeError('validation_content_size_limit', { maxSize });
    return null;
  },
};

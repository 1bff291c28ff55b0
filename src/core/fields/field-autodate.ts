/**
 * The `autodate` field type (docs/api.md §2.5): a datetime the server sets itself on
 * create and/or update; client values are ignored. It has no `required`/`help`.
 */
import type { FieldType } from './field-type.js';
import { parseDateTime } from '../../tools/datetime.js';
import { boolOpt, checkOptionKinds, shapeField } from './field-common.js';
import { scalarTextStorage } from './field-text-storage.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: false, help: false };

const eitherMessage = 'Either onCreate or onUpdate must be enabled.';

/** The `autodate` FieldType. */
export const autodateField: FieldType = {
  type: 'autodate',

  withDefaults: (field) => shapeField(field, { onCreate: false, onUpdate: false }, keys),

  validateOptions(field, ctx) {
    const errors = checkOptionKinds(field, { onCreate: 'bool', onUpdate: 'bool' }, keys);
    const onCreate = boolOpt(field, 'onCreate');
    const onUpdate = boolOpt(field, 'onUpdate');
    // System autodates (created/updated) keep their behaviour.
    if (field.system && ctx.old?.type === 'autodate') {
      if (onCreate !== boolOpt(ctx.old, 'onCreate')) errors.set('onCreate', codeError('validation_values_mismatch'));
      if (onUpdate !== boolOpt(ctx.old, 'onUpdate')) errors.set('onUpdate', codeError('validation_values_mismatch'));
    }
    if (!onCreate && !onUpdate) {
      errors.set('onCreate', codeError('validation_required', undefined, eitherMessage));
      errors.set('onUpdate', codeError('validation_required', undefined, eitherMessage));
    }
    return errors.result();
  },

  ...scalarTextStorage(parseDateTime),
  validate: () => null,
};

/**
 * The `relation` field type (docs/api.md §2.5): ids of records of one other
 * collection. That the ids exist is checked by the record service.
 */
import type { FieldError } from '../../errors/app-error.js';
import type { FieldType, OptionsContext } from './field-type.js';
import { castToUniqueStrings } from './field-cast.js';
import { checkOptionKinds, checkRange, numOpt, shapeField, strOpt } from './field-common.js';
import { effectiveMaxSelect, stringListStorage } from './field-multi.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: true, help: true };

function checkCollectionId(collectionId: string, ctx: OptionsContext): FieldError | null {
  if (ctx.old?.type === 'relation' && ctx.old.collectionId !== collectionId) {
    return codeError('validation_field_relation_change');
  }
  // Only ids count: a name would break when the target is renamed.
  const target = ctx.collections.find((c) => c.id === collectionId);
  if (!target) return codeError('validation_field_relation_missing_collection');
  // Views may point at views; nothing else may (PocketBase issue 3000).
  if (ctx.collection.type !== 'view' && target.type === 'view') {
    return codeError('validation_relation_field_non_view_base_collection');
  }
  return null;
}

/** The `relation` FieldType. */
export const relationField: FieldType = {
  type: 'relation',

  withDefaults: (field) =>
    shapeField(field, { collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 1 }, keys),

  validateOptions(field, ctx) {
    const errors = checkOptionKinds(
      field,
      { cascadeDelete: 'bool', collectionId: 'string', maxSelect: 'int', minSelect: 'int' },
      keys,
    );
    const collectionId = strOpt(field, 'collectionId');
    if (collectionId === '') errors.set('collectionId', codeError('validation_required'));
    else errors.set('collectionId', checkCollectionId(collectionId, ctx));

    checkRange(errors, field, 'minSelect', 0, null);
    const minSelect = numOpt(field, 'minSelect');
    if (minSelect > 0 && numOpt(field, 'maxSelect') === 0) errors.set('maxSelect', codeError('validation_required'));
    checkRange(errors, field, 'maxSelect', minSelect, null);
    return errors.result();
  },

  ...stringListStorage,

  validate(field, value) {
    const ids = castToUniqueStrings(value);
    if (ids.length === 0) return field.required === true ? codeError('validation_required') : null;
    const minSelect = numOpt(field, 'minSelect');
    if (minSelect > 0 && ids.length < minSelect) return codeError('validation_not_enough_values', { minSelect });
    const maxSelect = effectiveMaxSelect(field);
    if (ids.length > maxSelect) return codeError('validation_too_many_values', { maxSelect });
    return null;
  },
};

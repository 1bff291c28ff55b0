/**
 * The `searchable` option of `text` and `editor` fields (docs/search.md §1): a Plinth
 * extension to PocketBase's field JSON. It is emitted only when true, so every other field
 * keeps exactly PocketBase's shape and the SDKs see nothing new.
 */
import type { Field } from '../collections/collection.js';
import type { ErrorBag } from '../../errors/error-bag.js';
import { codeError } from '../../errors/code-error.js';
import { fieldRuleOf } from '../collections/field-rules.js';

/** Whether a field is full-text indexed. */
export function isSearchable(field: Field): boolean {
  return field.searchable === true;
}

/**
 * Adds `searchable` to a shaped field when the definition set it (shapeField drops unknown
 * keys); a value other than true is kept so that the option check can refuse it.
 */
export function withSearchable(given: Field, shaped: Field): Field {
  if (given.searchable !== undefined && given.searchable !== false) shaped.searchable = given.searchable;
  return shaped;
}

/**
 * Checks the option: a boolean, and never on a hidden field, a field with a readRule
 * (docs/field-rules.md) or the primary key. SECURITY: a search over a field the requester
 * may not read would let them probe its words.
 */
export function checkSearchable(field: Field, errors: ErrorBag): void {
  const v = field.searchable;
  if (v === undefined || v === false) return;
  if (v !== true) errors.set('searchable', codeError('validation_invalid_value'));
  else if (field.hidden === true) errors.set('searchable', codeError('validation_invalid_value', undefined, 'A hidden field cannot be searchable.'));
  else if (fieldRuleOf(field, 'readRule') !== undefined) errors.set('searchable', codeError('validation_invalid_value', undefined, 'A field with a readRule cannot be searchable.'));
  else if (field.primaryKey === true) errors.set('searchable', codeError('validation_invalid_value', undefined, 'The primary key cannot be searchable.'));
}

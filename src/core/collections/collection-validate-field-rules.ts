/**
 * Validation of the per-field `readRule` and `writeRule` (docs/field-rules.md): each is
 * null, "" or a rule that compiles against the collection, like the collection's own
 * rules; a view's fields take no writeRule (nothing writes through a view), and the `id`
 * field no readRule (every response names its record).
 */
import type { ErrorData, FieldError } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { FIELD_RULE_KEYS } from '../fields/field-common.js';
import { RULE_PARSE_LIMITS } from '../rules/rule-compiler.js';
import { callsSearch } from '../rules/search-compiler.js';
import type { Collection } from './collection.js';

/** Why a rule judged over a record's values may not call search(). */
export const SEARCH_OVER_VALUES = 'search() reads the full-text index, which holds no record being written or sent as an event: use it in listRule, viewRule, updateRule or deleteRule';

/** Checks a non-empty rule against the collection; the raw error text or null. */
export type RuleCheck = (collection: Collection, rule: string) => string | null;

/** Builds the error of a rule that does not compile, from the compiler's reason. */
export type InvalidRuleError = (reason: string) => FieldError;

/** The errors of the field rules of `next`, keyed by field index and rule name, or null. */
export function validateFieldRules(next: Collection, validateRule: RuleCheck, invalid: InvalidRuleError): ErrorData | null {
  const errors: ErrorData = {};
  for (const [i, field] of (Array.isArray(next.fields) ? next.fields : []).entries()) {
    const own: Record<string, FieldError> = {};
    for (const key of FIELD_RULE_KEYS) {
      // Every response names its record: the id is never left out.
      const error = key === 'readRule' && field.name === 'id' && field[key] !== undefined
        ? codeError('validation_nil')
        : checkFieldRule(next, key, field[key], validateRule, invalid);
      if (error) own[key] = error;
    }
    if (Object.keys(own).length > 0) errors[i] = own;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

function checkFieldRule(next: Collection, key: (typeof FIELD_RULE_KEYS)[number], rule: unknown, validateRule: RuleCheck, invalid: InvalidRuleError): FieldError | null {
  if (rule === undefined) return null;
  if (key === 'writeRule' && next.type === 'view') return codeError('validation_nil');
  if (rule === null || rule === '') return null;
  if (typeof rule !== 'string') return codeError('validation_invalid_value');
  const error = validateRule(next, rule);
  if (error !== null) return invalid(error);
  // A field rule is also judged over a record's values (a create, a response, an event), and
  // no full-text index holds those (docs/search.md §2).
  return callsSearch(rule, RULE_PARSE_LIMITS) ? invalid(SEARCH_OVER_VALUES) : null;
}

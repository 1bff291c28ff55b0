/**
 * Rules judged over a record's values rather than a stored row (a record being created, a
 * response, an event) cannot call `search()`: it reads the full-text index, which holds
 * stored rows only (docs/search.md §2). Saving such a rule is refused, but a collection saved
 * by an older Plinth, restored from a backup or written through the SQL console may still
 * hold one. Every place that judges a rule over values asks here first, so such a rule
 * answers a 400 that names it instead of failing in the database.
 */
import { badRequest, type AppError } from '../../errors/app-error.js';
import type { CompiledRule } from './rule-compiler.js';

/** Which saved rule is judged: a collection rule (`createRule`, `manageRule`) or a field's rule. */
export interface RuleName {
  collection: string;
  rule: string;
  field?: string;
}

/**
 * The 400 of a rule that calls search() where it is judged over a record's values. A 400,
 * not a 403, because it answers as the rule's refusal does (a createRule that does not
 * match is `400 "Failed to create record."`, docs/api.md §3.3): nothing about the requester
 * is wrong, and no requester but a superuser (whom rules do not hold) gets past it.
 */
export function searchOverValuesError(name: RuleName): AppError {
  const which = name.field === undefined ? `The ${name.rule} of collection "${name.collection}"` : `The ${name.rule} of field "${name.field}" of collection "${name.collection}"`;
  return badRequest(`${which} calls search(), which cannot judge a record that is not stored and indexed yet: a superuser must change the rule.`);
}

/** Throws searchOverValuesError when `compiled` calls search() (CompiledRule.searches). */
export function assertJudgeableOverValues(compiled: CompiledRule, name: RuleName): void {
  if (compiled.searches) throw searchOverValuesError(name);
}

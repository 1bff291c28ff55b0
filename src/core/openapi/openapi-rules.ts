/**
 * How a document marks the rule that guards an operation (docs/openapi.md, "Rules"):
 * `security` says whether a token is needed, `x-plinth-rule` names the rule and, for
 * superusers only, gives its text.
 */
import type { Collection, Rule } from '../collections/collection.js';
import type { DocumentViewer, Operation } from './openapi-types.js';

/** The name of the security scheme of an auth token in the Authorization header. */
export const AUTH_SCHEME = 'authToken';

/** The five record rules of a collection. */
export const RECORD_RULES = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;

/** One of the record rules. */
export type RecordRuleName = (typeof RECORD_RULES)[number];

/** Who a rule lets in: everyone, superusers only, or whoever its expression matches. */
export type RuleAccess = 'public' | 'superusers' | 'conditional';

/** The access a rule value grants (docs/api.md §2.2). */
export function ruleAccess(rule: Rule | undefined): RuleAccess {
  if (rule === null || rule === undefined) return 'superusers';
  return rule.trim() === '' ? 'public' : 'conditional';
}

/**
 * Whether a guest's document lists the collection: some record rule lets in someone
 * other than superusers (any non-null rule).
 */
export function isOpenToNonSuperusers(c: Collection): boolean {
  return RECORD_RULES.some((name) => c[name] !== null && c[name] !== undefined);
}

/**
 * The `security` and `x-plinth-rule` of an operation guarded by `rule`.
 * SECURITY: a rule's text can hold values meant to stay private (a shared secret
 * compared with `@request.headers`, an internal id); only superusers, who can read
 * the collection anyway, get it.
 */
export function ruleMarks(name: string, rule: Rule | undefined, viewer: DocumentViewer): Operation {
  const access = ruleAccess(rule);
  const mark: Record<string, unknown> = { name, access };
  if (viewer === 'superuser' && access === 'conditional') mark.expression = rule;
  const security = access === 'superusers' ? [{ [AUTH_SCHEME]: [] }] : [{}, { [AUTH_SCHEME]: [] }];
  return { security, 'x-plinth-rule': mark };
}

/** A sentence for an operation's description telling who may call it. */
export function ruleSentence(name: string, rule: Rule | undefined): string {
  switch (ruleAccess(rule)) {
    case 'superusers':
      return `Only superusers (the ${name} is locked).`;
    case 'public':
      return `Anyone, guests included (the ${name} is empty).`;
    default:
      return `Whoever the collection's ${name} lets in; superusers always.`;
  }
}

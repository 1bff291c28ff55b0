/**
 * Validation of an auth collection's options (docs/api.md §2.1, §2.2): rules, token
 * settings, email templates, OTP/MFA/OAuth2/password settings.
 */
import type { ErrorData, FieldError } from '../../errors/app-error.js';
import { findOAuth2Provider } from '../auth/oauth2/oauth2-providers.js';
import type { Collection, Rule } from './collection.js';
import { TOKEN_OPTION_KEYS } from './collection-json.js';
import { AUTH_OPTION_KEYS } from './collection-normalize.js';
import { findSingleColumnUniqueIndex } from '../../tools/index-parse.js';
import { codeError } from '../../errors/code-error.js';
import { ErrorBag } from '../../errors/error-bag.js';

/** The longest token or MFA/OTP duration accepted (about three years), in seconds. */
export const MAX_TOKEN_DURATION = 94670856;

/** Checks a rule's syntax and references through the injected validator. */
export type RuleCheck = (rule: Rule, path: string[], oldRule: Rule | undefined) => void;

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

/**
 * Validates the auth options of `next` into `bag`. `checkRule` reports invalid
 * rules and changed rules of system collections. The MFA and identity-field checks
 * run only when the options are otherwise valid, as in PocketBase.
 */
export function validateAuthOptions(next: Collection, old: Collection | undefined, bag: ErrorBag, checkRule: RuleCheck): void {
  const o = next as unknown as Obj;

  checkRule(next.authRule ?? null, ['authRule'], old?.authRule);
  if (next.manageRule === '') bag.set(['manageRule'], codeError('validation_nil_or_not_empty_required'));
  else checkRule(next.manageRule ?? null, ['manageRule'], old?.manageRule);

  checkTemplate(bag, ['authAlert', 'emailTemplate'], obj(o.authAlert).emailTemplate);
  checkTemplate(bag, ['otp', 'emailTemplate'], obj(o.otp).emailTemplate);
  for (const key of ['verificationTemplate', 'resetPasswordTemplate', 'confirmEmailChangeTemplate']) {
    checkTemplate(bag, [key], o[key]);
  }
  for (const key of TOKEN_OPTION_KEYS) checkToken(bag, key, obj(o[key]));

  const otp = obj(o.otp);
  if (otp.enabled === true) {
    checkNumber(bag, ['otp', 'duration'], otp.duration, 10, 86400);
    checkNumber(bag, ['otp', 'length'], otp.length, 4, Number.MAX_SAFE_INTEGER);
  }
  const mfa = obj(o.mfa);
  if (mfa.enabled === true) checkNumber(bag, ['mfa', 'duration'], mfa.duration, 10, 86400);

  const passwordAuth = obj(o.passwordAuth);
  const identityFields = Array.isArray(passwordAuth.identityFields) ? passwordAuth.identityFields : [];
  if (passwordAuth.enabled === true && identityFields.length === 0) {
    bag.set(['passwordAuth', 'identityFields'], codeError('validation_required'));
  }
  const oauth2 = obj(o.oauth2);
  if (oauth2.enabled === true) checkProviders(bag, oauth2.providers);

  if (AUTH_OPTION_KEYS.some((key) => bag.has(key))) return;

  if (mfa.enabled === true) {
    const enabled = [passwordAuth.enabled, oauth2.enabled, otp.enabled].filter((e) => e === true).length;
    if (enabled < 2) {
      bag.set(['mfa', 'enabled'], codeError('validation_mfa_not_enough_auths'));
      return;
    }
    if (typeof mfa.rule === 'string' && mfa.rule !== '') {
      checkRule(mfa.rule, ['mfa', 'rule'], old ? (obj((old as unknown as Obj).mfa).rule as Rule) ?? '' : undefined);
    }
  }
  if (passwordAuth.enabled === true) {
    const error = checkIdentityFields(next, identityFields);
    if (error) bag.set(['passwordAuth', 'identityFields'], error);
  }
}

function checkTemplate(bag: ErrorBag, path: string[], raw: unknown): void {
  const t = obj(raw);
  for (const key of ['subject', 'body']) {
    if (typeof t[key] !== 'string' || t[key] === '') bag.set([...path, key], codeError('validation_required'));
  }
}

function checkToken(bag: ErrorBag, key: string, token: Obj): void {
  const secret = token.secret;
  if (typeof secret !== 'string' || secret === '') bag.set([key, 'secret'], codeError('validation_required'));
  else if ([...secret].length < 30 || [...secret].length > 255) {
    bag.set([key, 'secret'], codeError('validation_length_out_of_range', { min: 30, max: 255 }));
  }
  checkNumber(bag, [key, 'duration'], token.duration, 10, MAX_TOKEN_DURATION);
}

function checkNumber(bag: ErrorBag, path: string[], v: unknown, min: number, max: number): void {
  if (v === undefined || v === null || v === 0) bag.set(path, codeError('validation_required'));
  else if (typeof v !== 'number' || !Number.isInteger(v)) bag.set(path, codeError('validation_invalid_value'));
  else if (v < min) bag.set(path, codeError('validation_min_greater_equal_than_required', { threshold: min }));
  else if (v > max) bag.set(path, codeError('validation_max_less_equal_than_required', { threshold: max }));
}

/**
 * The provider list of enabled OAuth2, as PocketBase checks it: a duplicated name is
 * the only error reported (the first one); without one, each item needs a name
 * PocketBase knows, a client id and a client secret.
 */
function checkProviders(bag: ErrorBag, raw: unknown): void {
  if (!Array.isArray(raw)) return;
  const seen = new Set<string>();
  for (const [i, item] of raw.entries()) {
    const name = obj(item).name;
    if (typeof name !== 'string' || name === '') continue;
    if (seen.has(name)) {
      bag.set(['oauth2', 'providers', String(i), 'name'], codeError('validation_duplicated_provider', { name }));
      return;
    }
    seen.add(name);
  }
  for (const [i, item] of raw.entries()) {
    const p = obj(item);
    for (const key of ['name', 'clientId', 'clientSecret']) {
      if (typeof p[key] !== 'string' || p[key] === '') bag.set(['oauth2', 'providers', String(i), key], codeError('validation_required'));
    }
    if (typeof p.name === 'string' && p.name !== '' && !findOAuth2Provider(p.name)) {
      bag.set(['oauth2', 'providers', String(i), 'name'], codeError('validation_missing_provider', { name: p.name }));
    }
  }
}

function checkIdentityFields(next: Collection, names: readonly unknown[]): FieldError | ErrorData | null {
  for (const name of names) {
    const fieldName = String(name);
    if (!next.fields.some((f) => f.name === fieldName)) return codeError('validation_missing_field', { fieldName });
    if (!findSingleColumnUniqueIndex(next.indexes, fieldName)) {
      return codeError('validation_missing_unique_constraint', { fieldName });
    }
  }
  return null;
}

/**
 * The `exceptDomains`/`onlyDomains` options shared by the email and url types:
 * option checks and the allow/deny test of a value's domain.
 */
import type { ErrorData } from '../../errors/app-error.js';
import type { Field } from '../collections/collection.js';
import { checkOptionKinds, shapeField, strListOpt, type CommonKeys } from './field-common.js';
import type { FieldType } from './field-type.js';
import { codeError } from '../../errors/code-error.js';
import { ErrorBag } from '../../errors/error-bag.js';

// ozzo's is.Domain: dot-separated labels of up to 63 chars and an alphabetic or punycode TLD.
const domainRe = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{1,63}|xn--[a-z0-9]{1,59})$/i;

/** Whether a string is a valid domain name (`example.com`). */
export function isDomain(s: string): boolean {
  return s.length <= 255 && domainRe.test(s);
}

/** Checks that the two lists are not both set and that each item is a domain. */
export function checkDomainOptions(errors: ErrorBag, field: Field): void {
  const except = strListOpt(field, 'exceptDomains');
  const only = strListOpt(field, 'onlyDomains');
  errors.set('exceptDomains', only.length > 0 ? emptyUnless(except) : eachDomain(except));
  errors.set('onlyDomains', except.length > 0 ? emptyUnless(only) : eachDomain(only));
}

function emptyUnless(list: string[]) {
  return list.length > 0 ? codeError('validation_empty') : null;
}

function eachDomain(list: string[]): ErrorData | null {
  const data: ErrorData = {};
  list.forEach((d, i) => {
    if (!isDomain(d)) data[String(i)] = codeError('validation_is_domain');
  });
  return Object.keys(data).length > 0 ? data : null;
}

/** Whether a value's domain passes the field's lists (exact, case-sensitive match as PocketBase). */
export function domainAllowed(field: Field, domain: string): boolean {
  const only = strListOpt(field, 'onlyDomains');
  if (only.length > 0 && !only.includes(domain)) return false;
  const except = strListOpt(field, 'exceptDomains');
  return !(except.length > 0 && except.includes(domain));
}

/** The options half of the email and url types: the two domain lists, their defaults and checks. */
export function domainListOptions(keys: CommonKeys): Pick<FieldType, 'withDefaults' | 'validateOptions'> {
  return {
    withDefaults: (field) => shapeField(field, { exceptDomains: [], onlyDomains: [] }, keys),
    validateOptions(field) {
      const errors = checkOptionKinds(field, { exceptDomains: 'stringList', onlyDomains: 'stringList' }, keys);
      checkDomainOptions(errors, field);
      return errors.result();
    },
  };
}

/**
 * The `email` field type (spec §2.5): an address checked for format and
 * against the optional domain lists.
 */
import type { FieldType } from './field-type.js';
import { castToString } from './field-cast.js';
import { domainAllowed, domainListOptions } from './field-domains.js';
import { codedError, requiredError } from './field-errors.js';
import { scalarTextStorage } from './field-text-storage.js';

const keys = { required: true, help: true };

// The unquoted form of govalidator's IsEmail: dot-atom local part, dotted host with an alphabetic TLD.
const u = '\\u00A0-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFEF';
const atom = `[a-zA-Z0-9!#$%&'*+/=?^_\`{|}~-${u}]+`;
const hostAlnum = `[a-zA-Z0-9${u}]`;
const label = `${hostAlnum}(?:[a-zA-Z0-9\\-.~${u}]*${hostAlnum})?`;
const tldChar = `[a-zA-Z${u}]`;
const tld = `${tldChar}(?:[a-zA-Z0-9\\-.~${u}]*${tldChar})?`;
const emailRe = new RegExp(`^${atom}(?:\\.${atom})*@(?:${label}\\.)+${tld}\\.?$`);

/** Whether a string is a syntactically valid email address. */
export function isEmail(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  return emailRe.test(s);
}

/** The `email` FieldType. */
export const emailField: FieldType = {
  type: 'email',

  ...domainListOptions(keys),

  ...scalarTextStorage(castToString),

  validate(field, value) {
    const str = castToString(value);
    if (str === '') return field.required === true ? requiredError() : null;
    if (!isEmail(str)) return codedError('validation_is_email');
    const domain = str.slice(str.lastIndexOf('@') + 1);
    return domainAllowed(field, domain) ? null : codedError('validation_email_domain_not_allowed');
  },
};

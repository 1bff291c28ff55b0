/**
 * The `email` field type (docs/api.md §2.5): an address checked for format and
 * against the optional domain lists.
 */
import type { FieldType } from './field-type.js';
import { castToString } from './field-cast.js';
import { domainAllowed, domainListOptions } from './field-domains.js';
import { scalarTextStorage } from './field-text-storage.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: true, help: true };

/**
 * Whether a string is a syntactically valid email address: the unquoted form of
 * govalidator's IsEmail (a dot-atom local part, a dotted host with an alphabetic TLD).
 *
 * SECURITY: a single left-to-right scan. The regular expression this mirrors
 * (`^atom(\.atom)*@(label\.)+tld\.?$`, where labels and the TLD may themselves hold
 * dots) backtracks exponentially on `a@a.a.a.…a.1`, so it is not used.
 */
export function isEmail(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  return isDotAtom(s, 0, at) && isHost(s, at + 1, s.length);
}

/** The chars govalidator's pattern admits beyond ASCII (UTF-16 code units, as the `u`-less regex saw them). */
function isWide(c: number): boolean {
  return (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xffef);
}

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isWide(c);
}

function isAlnum(c: number): boolean {
  return isAlpha(c) || (c >= 0x30 && c <= 0x39);
}

// `!#$%&'*+/=?^_\`{|}~-`: the atext punctuation of RFC 5322.
const atextPunct = new Set([..."!#$%&'*+/=?^_`{|}~-"].map((ch) => ch.charCodeAt(0)));

/** `atom(\.atom)*` with `atom = [atext]+` over s[from, to). */
function isDotAtom(s: string, from: number, to: number): boolean {
  let atomLength = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (atomLength === 0) return false;
      atomLength = 0;
    } else if (isAlnum(c) || atextPunct.has(c)) {
      atomLength++;
    } else {
      return false;
    }
  }
  return atomLength > 0;
}

/** Host middle chars: alphanumerics and `-`, `.`, `~`. */
function isHostChar(c: number): boolean {
  return isAlnum(c) || c === 0x2d || c === 0x2e || c === 0x7e;
}

/**
 * `(label\.)+ tld \.?` over s[from, to), where `label = A | A M* A` and `tld = T | T M* T`
 * (A alphanumeric, T alphabetic, M a host char, dots included).
 *
 * NOTE: because labels may hold dots, `(label\.)* label` is exactly "host chars,
 * first and last alphanumeric"; so the host matches iff, after dropping one trailing
 * dot, every char is a host char, the first is alphanumeric, the last alphabetic, and
 * some dot sits between an alphanumeric and an alphabetic char (where the TLD starts).
 */
function isHost(s: string, from: number, to: number): boolean {
  if (to > from && s.charCodeAt(to - 1) === 0x2e) to--;
  if (to - from < 3) return false;
  if (!isAlnum(s.charCodeAt(from)) || !isAlpha(s.charCodeAt(to - 1))) return false;
  let tldSplit = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!isHostChar(c)) return false;
    if (c === 0x2e && i > from && i + 1 < to && isAlnum(s.charCodeAt(i - 1)) && isAlpha(s.charCodeAt(i + 1))) tldSplit = true;
  }
  return tldSplit;
}

/** The `email` FieldType. */
export const emailField: FieldType = {
  type: 'email',

  ...domainListOptions(keys),

  ...scalarTextStorage(castToString),

  validate(field, value) {
    const str = castToString(value);
    if (str === '') return field.required === true ? codeError('validation_required') : null;
    if (!isEmail(str)) return codeError('validation_is_email');
    const domain = str.slice(str.lastIndexOf('@') + 1);
    return domainAllowed(field, domain) ? null : codeError('validation_email_domain_not_allowed');
  },
};

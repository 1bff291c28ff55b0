/**
 * The `url` field type (docs/api.md §2.5): an absolute URL with a host, checked
 * against the optional domain lists by its host.
 */
import type { FieldType } from './field-type.js';
import { castToString } from './field-cast.js';
import { domainAllowed, domainListOptions } from './field-domains.js';
import { scalarTextStorage } from './field-text-storage.js';
import { codeError } from '../../errors/code-error.js';

const keys = { required: true, help: true };

// The schemes govalidator's IsURL knows; it is what PocketBase validates with.
const schemes = new Set(['http:', 'https:', 'ftp:', 'ws:', 'wss:', 'tcp:', 'udp:']);

// The raw host (with port, case kept) as Go's url.Parse reports it in `u.Host`.
const rawHostRe = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/?#:]*)(:\d*)?/i;
const hostnameRe = /^(?:[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?)(?:\.[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?)*\.?$/u;

/** The host of a valid absolute URL (`example.com:8080`), or null when the string is not one. */
export function urlHost(s: string): string | null {
  if (s.length >= 2083 || /\s/.test(s)) return null;
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    return null;
  }
  if (!schemes.has(parsed.protocol) || parsed.hostname === '') return null;
  const m = rawHostRe.exec(s);
  if (!m) return null;
  const host = m[1]!;
  if (!host.startsWith('[') && !hostnameRe.test(host)) return null;
  return host + (m[2] ?? '');
}

/** The `url` FieldType. */
export const urlField: FieldType = {
  type: 'url',

  ...domainListOptions(keys),

  ...scalarTextStorage(castToString),

  validate(field, value) {
    const str = castToString(value);
    if (str === '') return field.required === true ? codeError('validation_required') : null;
    const host = urlHost(str);
    if (host === null) return codeError('validation_invalid_url');
    return domainAllowed(field, host) ? null : codeError('validation_url_domain_not_allowed');
  },
};

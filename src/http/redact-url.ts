/**
 * Secrets are taken out of a URL before it is logged (docs/operations.md §Logs): the
 * value of every query parameter whose name looks secret (`token`, `password`,
 * `secret`, `code`, an API key, a signature …) becomes `[REDACTED]`. File tokens
 * (`/api/files/…?token=`) and OAuth2 codes would otherwise sit in every log reader's view.
 */

/** What a redacted value reads as. */
export const REDACTED = '[REDACTED]';

/** Name fragments (lower case) that mark a query parameter as secret. */
const SECRET_NAME_PARTS = ['token', 'password', 'secret', 'apikey', 'api_key', 'api-key', 'signature', 'credential', 'authorization'];

/** Names (lower case) secret as a whole word only (`code` in `?code=`, not `?postcode=`). */
const SECRET_NAMES = new Set(['code', 'key', 'sig', 'otp', 'state', 'codeverifier', 'code_verifier', 'session']);

/** Whether a query parameter of this name carries a secret. */
export function isSecretParam(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_NAMES.has(lower) || SECRET_NAME_PARTS.some((part) => lower.includes(part));
}

/** `url` (a path with its query) with the values of secret-looking parameters redacted. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    let name = pair.slice(0, eq);
    try {
      name = decodeURIComponent(name.replaceAll('+', ' '));
    } catch {
      // A malformed name is judged as written.
    }
    return isSecretParam(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/**
 * The shapes a filter identifier may take, checked by scanning: PocketBase's
 * allowed-name regular expressions and its `<collection>_via_<field>` split,
 * which backtrack quadratically on V8 for long names that fail at their end.
 */

const REQUEST_PREFIXES = ['@request.auth.', '@request.body.', '@request.query.', '@request.headers.'];

function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

function isPathChar(c: number): boolean {
  return isWordChar(c) || c === 0x2e || c === 0x3a;
}

/** Whether s[from..] is `[\w.:]*\w+`: non-empty path chars ending in a word char. */
function isPathTail(s: string, from: number): boolean {
  if (from >= s.length || !isWordChar(s.charCodeAt(s.length - 1))) return false;
  for (let i = from; i < s.length; i++) if (!isPathChar(s.charCodeAt(i))) return false;
  return true;
}

/** The end of the run of word chars starting at `from`. */
function wordEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && isWordChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Whether a filter identifier has one of the shapes a name can have (PocketBase's
 * allowed-name patterns): `\w+[\w.:]*`, `@request.context`, `@request.method`,
 * `@request.(auth|body|query|headers).[\w.:]*\w+` or `@collection.\w+(:\w+)?.[\w.:]*\w+`.
 *
 * SECURITY: a scan, not those regular expressions: `\w+[\w.:]*` and `[\w.:]*\w+`
 * backtrack quadratically on a long name that fails at its end.
 */
export function isAllowedName(name: string): boolean {
  if (name === '@request.context' || name === '@request.method') return true;
  if (name.length > 0 && isWordChar(name.charCodeAt(0))) return isPathTailLoose(name);
  for (const prefix of REQUEST_PREFIXES) if (name.startsWith(prefix)) return isPathTail(name, prefix.length);
  if (!name.startsWith('@collection.')) return false;
  const nameStart = '@collection.'.length;
  let i = wordEnd(name, nameStart);
  if (i === nameStart) return false;
  if (name[i] === ':') {
    const aliasEnd = wordEnd(name, i + 1);
    if (aliasEnd === i + 1) return false;
    i = aliasEnd;
  }
  return name[i] === '.' && isPathTail(name, i + 1);
}

/** `\w[\w.:]*` (the first name shape, which may end in `.` or `:`). */
function isPathTailLoose(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (!isPathChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Splits `<collection>_via_<field>` as `^(\w+)_via_(\w+)$` does (the greedy first
 * part takes the last `_via_` that leaves a field name), or null.
 * SECURITY: a scan; that regular expression is quadratic on `_via__via_…`.
 */
export function splitVia(prop: string): [string, string] | null {
  if (wordEnd(prop, 0) !== prop.length) return null;
  for (let at = prop.lastIndexOf('_via_'); at >= 1; at = prop.lastIndexOf('_via_', at - 1)) {
    if (at + 5 < prop.length) return [prop.slice(0, at), prop.slice(at + 5)];
  }
  return null;
}

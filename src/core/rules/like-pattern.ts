/**
 * The pattern of a `~` / `!~` comparison against a bound value (docs/api.md §4.5): a value
 * without an unescaped `%` becomes a "contains" pattern with its `\`, `%` and `_`
 * escaped; one with an unescaped `%` is used as written.
 */

/** Turns a bound LIKE operand into its pattern, as PocketBase's wrapLikeParams does. */
export function likePattern(value: unknown): string {
  const text = likeText(value);
  if (containsUnescaped(text, '%')) return text;
  return `%${escapeUnescaped(text, '\\%_')}%`;
}

/** The string form of a bound value (Go's cast.ToString: null → "", numbers plain). */
export function likeText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

// NOTE: a `\\` pair resets the escape, so `\\%` holds an unescaped `%`.
function containsUnescaped(text: string, ch: string): boolean {
  let prev = '';
  for (const c of text) {
    if (c === ch && prev !== '\\') return true;
    prev = c === '\\' && prev === '\\' ? '' : c;
  }
  return false;
}

// Walks from the end like PocketBase: a special char not already preceded by `\`
// gets one; the char that served as an escape is not examined again.
function escapeUnescaped(text: string, specials: string): string {
  const rs = Array.from(text);
  const out: string[] = [];
  let match = false;
  for (let i = rs.length - 1; i >= 0; i--) {
    const c = rs[i]!;
    if (match) {
      if (c !== '\\') out.push('\\');
      match = false;
    } else if (specials.includes(c)) {
      match = true;
    }
    out.push(c);
    if (i === 0 && match) out.push('\\');
  }
  return out.reverse().join('');
}

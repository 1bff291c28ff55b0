/**
 * Compiles the regex options of fields (`pattern`, `autogeneratePattern`).
 * Patterns are written for Go's RE2; the common subset runs unchanged in JS.
 */
import { splitGoFlags } from '../../tools/random-from-pattern.js';

const cache = new Map<string, RegExp | null>();
// Bounded like PocketBase's pattern cache: field patterns are few, but a malicious
// admin could otherwise grow the map with every distinct pattern submitted.
const cacheLimit = 500;

/** The compiled pattern, or null when it is not a valid regular expression. */
export function compilePattern(pattern: string): RegExp | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const re = compile(pattern);
  if (cache.size >= cacheLimit) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Whether `value` matches `pattern` anywhere (Go's `regexp.MatchString`); an invalid pattern never matches. */
export function matchesPattern(pattern: string, value: string): boolean {
  const re = compilePattern(pattern);
  return re !== null && re.test(value);
}

function compile(pattern: string): RegExp | null {
  const { source, flags } = splitGoFlags(pattern);
  // NOTE: the `u` flag counts code points as Go does, but rejects identity escapes
  // like `\_` that RE2 allows; fall back to the plain mode for those.
  for (const f of [flags + 'u', flags]) {
    try {
      return new RegExp(source, f);
    } catch {
      continue;
    }
  }
  return null;
}

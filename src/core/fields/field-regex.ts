/**
 * Compiles the regex options of fields (`pattern`, `autogeneratePattern`) on
 * re2js, a port of Go's RE2: the engine and the syntax PocketBase uses.
 *
 * SECURITY: RE2 matches in time linear in the input, so a superuser's pattern
 * such as `^([a-z0-9]+[-_]?)+$` cannot stall the server on a crafted value, as it
 * would on V8's backtracking engine. What RE2 refuses (backreferences,
 * lookarounds, possessive quantifiers, repeat counts over 1000) is refused at
 * collection save, as PocketBase refuses it.
 */
import { RE2JS } from 're2js';

const cache = new Map<string, RE2JS | null>();
// Bounded like PocketBase's pattern cache: field patterns are few, but a malicious
// admin could otherwise grow the map with every distinct pattern submitted.
const cacheLimit = 500;

/**
 * The compiled pattern, or null when RE2 does not accept it. Go's flag groups
 * such as a leading `(?i)` are RE2 syntax and need no translation.
 */
export function compilePattern(pattern: string): RE2JS | null {
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

function compile(pattern: string): RE2JS | null {
  try {
    return RE2JS.compile(pattern);
  } catch {
    return null;
  }
}

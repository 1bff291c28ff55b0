/**
 * Random strings that match a regular expression, as PocketBase's
 * `security.RandomStringByRegex` (used by text fields' `autogeneratePattern`).
 */
import { randomInt } from 'node:crypto';
import RandExpModule from 'randexp';

type RandExpClass = typeof import('randexp').default;

// NOTE: randexp is CommonJS with `module.exports = RandExp`; under NodeNext the
// default import is the class at run time but typed as the module namespace.
const RandExp: RandExpClass =
  ((RandExpModule as unknown as { default?: RandExpClass }).default ?? (RandExpModule as unknown as RandExpClass));

// Caps unbounded repetitions (`*`, `+`, `{n,}`) as PocketBase does with its own limit.
const maxRepeat = 100;

/**
 * A random string matching `pattern`. SECURITY: randomness comes from
 * crypto.randomInt because the values become ids and token keys.
 * Throws on an invalid pattern.
 */
export function randomFromPattern(pattern: string): string {
  const { source, flags } = splitGoFlags(pattern);
  const gen = new RandExp(new RegExp(source, flags));
  gen.max = maxRepeat;
  gen.randInt = (a: number, b: number): number => (b <= a ? a : randomInt(a, b + 1));
  return gen.gen();
}

/** Turns a Go leading flag group like `(?i)` into JS flags (RE2 syntax the patterns come in). */
export function splitGoFlags(pattern: string): { source: string; flags: string } {
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  if (!m) return { source: pattern, flags: '' };
  const flags = [...new Set(m[1]!.replace('U', '').split(''))].join('');
  return { source: pattern.slice(m[0].length), flags };
}

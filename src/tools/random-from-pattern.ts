/**
 * Random strings that match a regular expression, as PocketBase's
 * `security.RandomStringByRegex` (used by text fields' `autogeneratePattern`).
 */
import { randomInt } from 'node:crypto';
import RandExpModule from 'randexp';
import { randomString } from './ids.js';
import { Lru } from './lru.js';

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
  const simple = simplePattern(pattern);
  if (simple) return randomString(simple.alphabet, simple.length);
  const { source, flags } = splitGoFlags(pattern);
  const gen = new RandExp(new RegExp(source, flags));
  gen.max = maxRepeat;
  gen.randInt = (a: number, b: number): number => (b <= a ? a : randomInt(a, b + 1));
  return gen.gen();
}

/** A pattern of one character class repeated a fixed number of times, e.g. `[a-z0-9]{15}`. */
interface SimplePattern {
  alphabet: string;
  length: number;
}

// `[` ranges or letters/digits/underscore `]{n}`: every id and token key pattern in practice.
const simplePatternRe = /^\[((?:[a-zA-Z0-9]-[a-zA-Z0-9]|[a-zA-Z0-9_])+)\]\{(\d{1,3})\}$/;
const simplePatterns = new Lru<string, SimplePattern | null>(256);

/**
 * The alphabet and length of a simple pattern, or null. Drawing uniformly from the
 * alphabet is what randexp does for such a pattern, without parsing it for every value
 * (randexp took a sixth of a record create).
 */
function simplePattern(pattern: string): SimplePattern | null {
  let simple = simplePatterns.get(pattern);
  if (simple !== undefined) return simple;
  simple = null;
  const m = simplePatternRe.exec(pattern);
  if (m) {
    const chars = new Set<string>();
    let reversed = false;
    for (const [, from, to, single] of m[1]!.matchAll(/([a-zA-Z0-9])-([a-zA-Z0-9])|([a-zA-Z0-9_])/g)) {
      if (single) chars.add(single);
      else if (from! > to!) reversed = true;
      else for (let c = from!.charCodeAt(0); c <= to!.charCodeAt(0); c++) chars.add(String.fromCharCode(c));
    }
    // A reversed range (`[z-a]`) is an invalid pattern: left to randexp, which throws.
    if (!reversed) simple = { alphabet: [...chars].join(''), length: Number(m[2]) };
  }
  simplePatterns.set(pattern, simple);
  return simple;
}

/** Turns a Go leading flag group like `(?i)` into JS flags (RE2 syntax the patterns come in). */
export function splitGoFlags(pattern: string): { source: string; flags: string } {
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  if (!m) return { source: pattern, flags: '' };
  const flags = [...new Set(m[1]!.replace('U', '').split(''))].join('');
  return { source: pattern.slice(m[0].length), flags };
}

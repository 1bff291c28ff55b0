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

/** The longest value an autogenerate pattern may be able to produce, in UTF-16 units. */
export const maxGeneratedLength = 10_000;

/**
 * A random string matching `pattern`. SECURITY: randomness comes from
 * crypto.randomInt because the values become ids and token keys.
 * Throws on an invalid pattern.
 */
export function randomFromPattern(pattern: string): string {
  const simple = simplePattern(pattern);
  if (simple) return randomString(simple.alphabet, simple.length);
  const gen = generator(pattern);
  gen.randInt = (a: number, b: number): number => (b <= a ? a : randomInt(a, b + 1));
  return gen.gen();
}

const boundedPatterns = new Lru<string, true>(256);

/**
 * A randexp generator for `pattern`, refused when its output could be longer
 * than maxGeneratedLength.
 *
 * SECURITY: the pattern is a superuser's, and randexp builds nested repetitions in
 * full: `(((a*)*)*)*` is 100⁴ characters and `(a{1000}){1000}` a million, built
 * synchronously on the event loop for every record create.
 */
function generator(pattern: string): InstanceType<RandExpClass> {
  const { source, flags } = splitGoFlags(pattern);
  const gen = new RandExp(new RegExp(source, flags));
  gen.max = maxRepeat;
  if (boundedPatterns.get(pattern) === undefined) {
    const tokens = (gen as unknown as { tokens: RegexToken }).tokens;
    if (maxLength(tokens, new Map(), { next: 1 }) > maxGeneratedLength) {
      throw new Error(`the pattern could generate values longer than ${maxGeneratedLength} characters`);
    }
    boundedPatterns.set(pattern, true);
  }
  return gen;
}

/** The parts of randexp's parse tree (the `ret` tokenizer's tokens) that decide the output length. */
interface RegexToken {
  type: number;
  stack?: RegexToken[];
  options?: RegexToken[][];
  remember?: boolean;
  followedBy?: boolean;
  notFollowedBy?: boolean;
  min?: number;
  max?: number;
  value?: RegexToken | number | string;
  set?: RegexToken[];
  not?: boolean;
  to?: number;
}

// ret's token types.
const tokenType = { root: 0, group: 1, position: 2, set: 3, range: 4, repetition: 5, reference: 6, char: 7 };

/**
 * An upper bound on the length randexp can generate for `token`, mirroring its
 * `_gen`: a set or char gives one code point (1 or 2 units), a repetition up to its
 * max (or min + maxRepeat when unbounded), a back-reference its group's bound.
 */
function maxLength(token: RegexToken, groups: Map<number, number>, counter: { next: number }): number {
  switch (token.type) {
    case tokenType.root:
    case tokenType.group: {
      if (token.followedBy || token.notFollowedBy) return 0;
      const number = token.type === tokenType.group && token.remember ? counter.next++ : 0;
      const branches = token.options ?? [token.stack ?? []];
      let longest = 0;
      for (const branch of branches) {
        let sum = 0;
        for (const t of branch) sum += maxLength(t, groups, counter);
        longest = Math.max(longest, sum);
      }
      if (number > 0) groups.set(number, longest);
      return longest;
    }
    case tokenType.repetition: {
      const times = token.max === Infinity ? (token.min ?? 0) + maxRepeat : (token.max ?? 0);
      const each = maxLength(token.value as RegexToken, groups, counter);
      return each === 0 ? 0 : times * each;
    }
    case tokenType.reference:
      // A group not yet closed (a reference inside its own group) has no bound.
      return groups.get(token.value as number) ?? Infinity;
    case tokenType.position:
      return 0;
    case tokenType.char:
      return (token.value as number) > 0xffff ? 2 : 1;
    default:
      return setWidth(token);
  }
}

/** The UTF-16 width of the widest code point a set can give (a negated set draws from printable ASCII). */
function setWidth(token: RegexToken): number {
  if (token.not) return 1;
  let width = 1;
  for (const t of token.set ?? []) {
    const top = t.type === tokenType.range ? (t.to ?? 0) : t.type === tokenType.char ? (t.value as number) : setWidth(t) === 2 ? 0x10000 : 0;
    if (top > 0xffff) width = 2;
  }
  return width;
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

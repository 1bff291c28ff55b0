import { describe, expect, it } from 'vitest';
import { isAllowedName, splitVia } from './field-names.js';

// The backtracking regular expressions these scans replaced, kept as the reference they must agree with.
const referenceNames = [
  /^\w+[\w.:]*$/,
  /^@request\.context$/,
  /^@request\.method$/,
  /^@request\.auth\.[\w.:]*\w+$/,
  /^@request\.body\.[\w.:]*\w+$/,
  /^@request\.query\.[\w.:]*\w+$/,
  /^@request\.headers\.[\w.:]*\w+$/,
  /^@collection\.\w+(:\w+)?\.[\w.:]*\w+$/,
];
const referenceVia = /^(\w+)_via_(\w+)$/;

function randomStrings(alphabet: string[], prefixes: string[], count: number): string[] {
  let seed = 11;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = prefixes[next(prefixes.length)]!;
    const length = next(9);
    for (let j = 0; j < length; j++) s += alphabet[next(alphabet.length)];
    out.push(s);
  }
  return out;
}

describe('isAllowedName', () => {
  it.each([
    ['title', true],
    ['author.name:lower', true],
    ['a.', true],
    ['@request.context', true],
    ['@request.auth.id', true],
    ['@request.auth.', false],
    ['@request.auth.id.', false],
    ['@request.body.tags:each', true],
    ['@collection.posts.title', true],
    ['@collection.posts:p.title', true],
    ['@collection.posts:.title', false],
    ['@collection.posts', false],
    ['@request', false],
    ['@other.x', false],
    ['', false],
    ['a-b', false],
  ])('%j → %s', (name, expected) => expect(isAllowedName(name)).toBe(expected));

  it('agrees with the reference regular expressions', () => {
    const prefixes = ['', '@request.', '@request.auth.', '@request.body.', '@request.query.', '@request.headers.', '@collection.', '@collection.a:', '@request.context', '@request.method'];
    for (const name of randomStrings(['a', '_', '1', '.', ':', '@', '-'], prefixes, 40_000)) {
      expect([name, isAllowedName(name)]).toEqual([name, referenceNames.some((re) => re.test(name))]);
    }
  });
});

describe('splitVia', () => {
  it('agrees with the reference regular expression', () => {
    for (const prop of randomStrings(['a', '_', 'via', '_via_', '-'], ['', 'a', '_via_', 'posts_via_'], 40_000)) {
      const m = referenceVia.exec(prop);
      expect([prop, splitVia(prop)]).toEqual([prop, m ? [m[1], m[2]] : null]);
    }
  });
});

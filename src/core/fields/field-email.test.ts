import { describe, expect, it } from 'vitest';
import { isEmail } from './field-email.js';

// The backtracking regular expression isEmail replaced, kept here as the reference it must agree with.
// NOTE: the old source wrote the local part's class as `…~-\u00A0-\uD7FF…`, which JS reads as the
// range `~`–U+00A0 (control chars in, U+00A1–U+D7FE out); govalidator means a literal `-`, as here.
const u = '\\u00A0-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFEF';
const atom = `[a-zA-Z0-9!#$%&'*+/=?^_\`{|}~\\-${u}]+`;
const hostAlnum = `[a-zA-Z0-9${u}]`;
const label = `${hostAlnum}(?:[a-zA-Z0-9\\-.~${u}]*${hostAlnum})?`;
const tldChar = `[a-zA-Z${u}]`;
const tld = `${tldChar}(?:[a-zA-Z0-9\\-.~${u}]*${tldChar})?`;
const referenceRe = new RegExp(`^${atom}(?:\\.${atom})*@(?:${label}\\.)+${tld}\\.?$`);

function reference(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  return referenceRe.test(s);
}

describe('isEmail', () => {
  it.each<[string, boolean]>([
    ['a@example.com', true],
    ['first.last+tag@sub.example.co', true],
    ["!#$%&'*+/=?^_`{|}~-@x.io", true],
    ['a@b.c', true],
    ['a@b.c.', true],
    ['a@b.c..', false],
    ['a@b', false],
    ['a@1.2', false],
    ['a@b.c1', false],
    ['a@b.1c', false],
    ['a@b-.c', false],
    ['a@b.-c', false],
    ['a@b..c', false],
    ['\x7f@x.io', false],
    ['\x85@x.io', false],
    ['\u00A1@x.io', true],
    ['a@b.~c.d', true],
    ['a@-b.c', false],
    ['a..b@example.com', false],
    ['.a@example.com', false],
    ['a.@example.com', false],
    ['a b@example.com', false],
    ['a@b@example.com', false],
    ['ü@exämple.ß', true],
    ['a@b.\uD83D\uDE00', false],
    ['"a"@example.com', false],
    [`${'a'.repeat(64)}@x.io`, true],
    [`${'a'.repeat(65)}@x.io`, false],
    [`a@${'b'.repeat(249)}.io`, true],
    [`a@${'b'.repeat(250)}.io`, false],
  ])('%j → %s', (s, expected) => {
    expect(isEmail(s)).toBe(expected);
    expect(reference(s)).toBe(expected);
  });

  it('agrees with the reference regular expression on random short strings', () => {
    const alphabet = ['\x7f', '\u00A1', 'a', 'Z', '1', '.', '.', '.', '-', '~', '_', '@', '@', ' ', 'é', '\uFDD0', '\uFFF0', '+'];
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 50_000; i++) {
      let s = '';
      const length = 1 + next(12);
      for (let j = 0; j < length; j++) s += alphabet[next(alphabet.length)];
      expect([s, isEmail(s)]).toEqual([s, reference(s)]);
    }
  });

  it('answers in linear time on the input that made the regular expression exponential', () => {
    const evil = `a@${'a.'.repeat(120)}1`;
    const started = performance.now();
    expect(isEmail(evil)).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

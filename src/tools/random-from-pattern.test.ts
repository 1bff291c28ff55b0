import { describe, expect, it } from 'vitest';
import { maxGeneratedLength, randomFromPattern, splitGoFlags } from './random-from-pattern.js';

describe('randomFromPattern', () => {
  const patterns = ['[a-z0-9]{15}', '[a-zA-Z0-9]{50}', '^[a-z]{3}-\\d{4}$', 'ab(c|d)+e?', '(?i)[a-f]{8}'];
  it.each(patterns)('generates strings matching %s', (pattern) => {
    const { source, flags } = splitGoFlags(pattern);
    const re = new RegExp(`^(?:${source.replace(/^\^|\$$/g, '')})$`, flags);
    for (let i = 0; i < 30; i++) expect(randomFromPattern(pattern)).toMatch(re);
  });
  it('gives the exact length for fixed counts', () => {
    expect(randomFromPattern('[a-z0-9]{15}')).toHaveLength(15);
    expect(randomFromPattern('[a-zA-Z0-9]{50}')).toHaveLength(50);
  });
  it('differs between calls', () => {
    expect(randomFromPattern('[a-z0-9]{30}')).not.toBe(randomFromPattern('[a-z0-9]{30}'));
  });
  it('throws on an invalid pattern', () => {
    expect(() => randomFromPattern('[a-')).toThrow();
    expect(() => randomFromPattern('[z-a]{3}')).toThrow();
  });
  it('refuses a pattern whose output could exceed the length bound, before generating anything', () => {
    for (const pattern of ['(((a*)*)*)*', '(a{1000}){1000}', '((a{100}){100}){100}', `[a-z]{${maxGeneratedLength + 1}}`, '(a{100})\\1{100}']) {
      const started = performance.now();
      expect(() => randomFromPattern(pattern), pattern).toThrow(/longer than 10000/);
      expect(performance.now() - started).toBeLessThan(100);
    }
  });
  it('accepts patterns right at the bound', () => {
    expect(randomFromPattern(`[a-z]{${maxGeneratedLength / 2}}`)).toHaveLength(maxGeneratedLength / 2);
    expect(randomFromPattern('(a*b){98}').length).toBeLessThanOrEqual(maxGeneratedLength);
    expect(randomFromPattern('(ab)\\1')).toBe('abab');
  });
  it('draws every character of a simple class, and only those, about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      for (const ch of randomFromPattern('[a-c_9]{10}')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['9', '_', 'a', 'b', 'c']);
    // 4000 draws over 5 characters: 800 expected each; 650 is more than 5 standard deviations below.
    for (const n of counts.values()) expect(n).toBeGreaterThan(650);
  });
});

describe('splitGoFlags', () => {
  it('moves a leading Go flag group into JS flags', () => {
    expect(splitGoFlags('(?i)abc')).toEqual({ source: 'abc', flags: 'i' });
    expect(splitGoFlags('abc')).toEqual({ source: 'abc', flags: '' });
  });
});

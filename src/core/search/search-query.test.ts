import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_LENGTH, parseSearchQuery, SearchQueryError } from './search-query.js';

const WORD = /^[\p{L}\p{N}]+$/u;

describe('parseSearchQuery', () => {
  it.each([
    ['red shoes', [['red'], ['shoes']], []],
    ['Red  SHOES!!', [['red'], ['shoes']], []],
    ['"made of wool" warm', [['made', 'of', 'wool'], ['warm']], []],
    ['leather -boots -"rain jacket"', [['leather']], [['boots'], ['rain', 'jacket']]],
    ['the and of', [], []],
    ['"the of"', [], []],
    ['t-shirt', [['shirt']], []],
    ['a-b -', [['b']], []],
    ['"unterminated phrase', [['unterminated', 'phrase']], []],
    ['shoes shoes', [['shoes']], []],
    ['NEAR(a b) OR c* AND {x}:y', [['near'], ['b'], ['c'], ['x'], ['y']], []],
  ])('%s', (text, include, exclude) => {
    const q = parseSearchQuery(text);
    expect(q.include.map((t) => t.words)).toEqual(include);
    expect(q.exclude.map((t) => t.words)).toEqual(exclude);
  });

  it('reads a word of one character as a one-word phrase (matched whole, not as a prefix)', () => {
    const q = parseSearchQuery('k kettle -7 "k"');
    expect(q.include).toEqual([{ words: ['k'], phrase: true }, { words: ['kettle'], phrase: false }]);
    expect(q.exclude).toEqual([{ words: ['7'], phrase: true }]);
  });

  it('refuses texts over the limits', () => {
    expect(() => parseSearchQuery('x'.repeat(MAX_SEARCH_LENGTH + 1))).toThrow(SearchQueryError);
    expect(() => parseSearchQuery(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))).toThrow(SearchQueryError);
    expect(() => parseSearchQuery(`"${Array.from({ length: 9 }, (_, i) => `w${i}`).join(' ')}"`)).toThrow(SearchQueryError);
  });

  it('turns any text into words of letters and digits only, or a SearchQueryError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600, unit: 'grapheme' }), (text) => {
      let q;
      try {
        q = parseSearchQuery(text);
      } catch (err) {
        expect(err).toBeInstanceOf(SearchQueryError);
        return;
      }
      for (const term of [...q.include, ...q.exclude]) {
        expect(term.words.length).toBeGreaterThan(0);
        for (const w of term.words) expect(w).toMatch(WORD);
      }
    }), { numRuns: 2000 });
  });
});

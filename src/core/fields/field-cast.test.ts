import { describe, expect, it } from 'vitest';
import { castToBool, castToNumber, castToString, castToUniqueStrings, formatNumber } from './field-cast.js';

describe('castToString', () => {
  const cases: Array<[unknown, string]> = [
    ['abc', 'abc'],
    [12, '12'],
    [-1.5, '-1.5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [true, 'true'],
    [false, 'false'],
    [null, ''],
    [undefined, ''],
    [['a'], ''],
    [{ a: 1 }, ''],
  ];
  it.each(cases)('%j → %j', (input, expected) => expect(castToString(input)).toBe(expected));
});

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [123.25, '123.25'],
    [-2.5e-10, '-0.00000000025'],
    [1.2345e25, '12345000000000000000000000'],
  ])('%d → %s', (n, s) => expect(formatNumber(n)).toBe(s));
});

describe('castToNumber', () => {
  const cases: Array<[unknown, number]> = [
    [5, 5],
    ['12', 12],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['abc', 0],
    ['', 0],
    [' 12', 0],
    [true, 1],
    [false, 0],
    [null, 0],
    [undefined, 0],
    [[1], 0],
    [{}, 0],
  ];
  it.each(cases)('%j → %d', (input, expected) => expect(castToNumber(input)).toBe(expected));
  it('parses Go special values', () => {
    expect(castToNumber('NaN')).toBeNaN();
    expect(castToNumber('Inf')).toBe(Infinity);
    expect(castToNumber('-infinity')).toBe(-Infinity);
    expect(castToNumber('+INF')).toBe(Infinity);
    expect(castToNumber('-nan')).toBeNaN();
    expect(castToNumber('infinit')).toBe(0);
  });
  it.each([
    ['1_000', 1000],
    ['1_000.5', 1000.5],
    ['1.', 1],
    ['+.5e-1', 0.05],
    ['1E+2', 100],
    ['1__0', 0],
    ['_1', 0],
    ['1_', 0],
    ['1._5', 0],
    ['1.5_0', 0],
    ['.', 0],
    ['1e', 0],
    ['e1', 0],
    ['--1', 0],
  ])('%j → %d (Go forms)', (input, expected) => expect(castToNumber(input)).toBe(expected));

  // The backtracking regular expressions castToNumber replaced, kept as the reference it must agree with.
  const referenceFloat = /^[+-]?(?:\d+(?:_\d+)*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  const referenceSpecial = /^([+-]?)(inf|infinity|nan)$/i;
  function reference(v: string): number {
    if (referenceFloat.test(v)) return Number(v.replaceAll('_', ''));
    const special = referenceSpecial.exec(v);
    if (!special) return 0;
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }

  it('agrees with the reference regular expressions on random short strings', () => {
    const alphabet = ['1', '2', '0', '.', '_', 'e', 'E', '+', '-', 'x', ' ', 'i', 'I', 'n', 'a', 'f', 't', 'y'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 50_000; i++) {
      let s = '';
      const length = 1 + next(8);
      for (let j = 0; j < length; j++) s += alphabet[next(alphabet.length)];
      expect([s, castToNumber(s)]).toEqual([s, reference(s)]);
    }
  });

  it('casts a million-digit string in linear time', () => {
    const evil = '1'.repeat(1_000_000) + 'x';
    // CPU time, not wall time: the bound is on the work done, which waiting for a busy machine's cores does not change.
    const started = process.cpuUsage();
    expect(castToNumber(evil)).toBe(0);
    expect(castToNumber('1_'.repeat(500_000) + 'x')).toBe(0);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(200);
  });
});

describe('castToBool', () => {
  const cases: Array<[unknown, boolean]> = [
    [true, true],
    ['true', true],
    ['True', true],
    ['1', true],
    ['t', true],
    [1, true],
    [2.5, true],
    [false, false],
    ['false', false],
    ['0', false],
    ['yes', false],
    ['', false],
    [0, false],
    [null, false],
    [undefined, false],
    [{}, false],
  ];
  it.each(cases)('%j → %j', (input, expected) => expect(castToBool(input)).toBe(expected));
});

describe('castToUniqueStrings', () => {
  const cases: Array<[unknown, string[]]> = [
    [null, []],
    [undefined, []],
    ['', []],
    ['a', ['a']],
    ['a,b', ['a,b']],
    ['["a","b","a"]', ['a', 'b']],
    ['[1,2]', ['[1,2]']],
    ['[oops', ['[oops']],
    [['a', '', 'b', 'a'], ['a', 'b']],
    [[1, 'x', true], ['1', 'x', 'true']],
    [5, ['5']],
  ];
  it.each(cases)('%j → %j', (input, expected) => expect(castToUniqueStrings(input)).toEqual(expected));
});

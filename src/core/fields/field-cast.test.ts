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

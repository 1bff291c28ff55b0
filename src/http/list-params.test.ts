import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { firstQueryValue, parseBool, parseExpand, parseListParams } from './list-params.js';

describe('parseListParams', () => {
  it('gives the defaults for an empty query', () => {
    expect(parseListParams({})).toEqual({
      page: 1, perPage: 30, sort: '', filter: '', skipTotal: false, expand: [], fields: '',
    });
  });

  it.each([
    [{ page: '3' }, { page: 3 }],
    [{ page: '0' }, { page: 1 }],
    [{ page: '-5' }, { page: 1 }],
    [{ page: '+2' }, { page: 2 }],
    [{ page: '' }, { page: 1 }],
    [{ perPage: '50' }, { perPage: 50 }],
    [{ perPage: '0' }, { perPage: 30 }],
    [{ perPage: '-1' }, { perPage: 30 }],
    [{ perPage: '1000' }, { perPage: 1000 }],
    [{ perPage: '1001' }, { perPage: 1000 }],
    [{ skipTotal: '1' }, { skipTotal: true }],
    [{ skipTotal: 'true' }, { skipTotal: true }],
    [{ skipTotal: 'T' }, { skipTotal: true }],
    [{ skipTotal: 'FALSE' }, { skipTotal: false }],
    [{ skipTotal: '0' }, { skipTotal: false }],
    [{ sort: '-created,id', filter: "a = 'b'" }, { sort: '-created,id', filter: "a = 'b'" }],
    [{ expand: 'a, b.c ,a' }, { expand: ['a', 'b.c'] }],
    [{ fields: '*,body:excerpt(10)' }, { fields: '*,body:excerpt(10)' }],
    [{ page: ['2', '9'], perPage: ['5', 'x'] }, { page: 2, perPage: 5 }],
    [{ autoRefresh: 'true', unknown: 'x' }, {}],
  ])('%j → %j', (query, expected) => {
    expect(parseListParams(query)).toMatchObject(expected);
  });

  it.each([
    { page: 'abc' },
    { page: '1.5' },
    { page: ' 1' },
    { page: '99999999999999999999' },
    { perPage: '10x' },
    { skipTotal: 'yes' },
    { skipTotal: '2' },
    { filter: 'x'.repeat(3501) },
  ])('rejects %j with a 400 and the default message', (query) => {
    let caught: unknown;
    try {
      parseListParams(query);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).toJSON()).toEqual({
      status: 400, message: 'Something went wrong while processing your request.', data: {},
    });
  });

  it('accepts a filter of exactly 3500 characters', () => {
    expect(parseListParams({ filter: 'x'.repeat(3500) }).filter).toHaveLength(3500);
  });
});

describe('parseExpand', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    [' a , b ', ['a', 'b']],
    ['a b.c', ['ab.c']],
    ['a.,.b', ['a', 'b']],
    ['a..', ['a']],
    ['a,a,a', ['a']],
    ['a,a.b', ['a.b']],
    ['a.b,a', ['a.b']],
    ['a.b,a.b.c,a.d', ['a.b.c', 'a.d']],
    ['ab,a.c', ['ab', 'a.c']],
    ['a.b.c.d.e.f.g.h', ['a.b.c.d.e.f']],
    ['a.b.c.d.e.f.g,a.b.c.d.e.f', ['a.b.c.d.e.f']],
    [',,', []],
  ])('%j → %j', (param, expected) => {
    expect(parseExpand(param)).toEqual(expected);
  });
});

describe('parseBool', () => {
  it.each([
    ['1', true], ['t', true], ['T', true], ['true', true], ['TRUE', true], ['True', true],
    ['0', false], ['f', false], ['F', false], ['false', false], ['FALSE', false], ['False', false],
    ['', null], ['yes', null], ['tRUE', null], ['2', null],
  ])('%j → %j', (raw, expected) => {
    expect(parseBool(raw)).toBe(expected);
  });
});

describe('firstQueryValue', () => {
  it.each([
    [{ a: 'x' }, 'x'],
    [{ a: ['x', 'y'] }, 'x'],
    [{}, ''],
    [{ a: 5 }, ''],
    [null, ''],
  ])('%j → %j', (query, expected) => {
    expect(firstQueryValue(query, 'a')).toBe(expected);
  });
});

describe('parseExpand trims dots as before', () => {
  it.each([
    ['..a.b..', ['a.b']],
    ['.', []],
    [' a . b ,c.', ['a.b', 'c']],
    ['a..b', ['a..b']],
  ])('%j → %j', (param, expected) => expect(parseExpand(param)).toEqual(expected));
});

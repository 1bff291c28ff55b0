import { describe, expect, it } from 'vitest';
import { jsonField } from './field-json.js';
import { makeField, optionsCtx, valueCtx } from './field-test-helpers.js';
import { codeError } from '../../errors/code-error.js';

const f = (o: Record<string, unknown> = {}) => makeField('json', o);

describe('json normalize (docs/api.md §2.5 string rules)', () => {
  const cases: Array<[unknown, unknown]> = [
    ['null', null],
    ['true', true],
    ['false', false],
    ['123', 123],
    ['-1.5', -1.5],
    ['[1,2,3]', [1, 2, 3]],
    ['{"a":1}', { a: 1 }],
    ['"quoted"', 'quoted'],
    ['', ''],
    ['hello', 'hello'],
    ['[not json', '[not json'],
    ['12abc', '12abc'],
    ['True', 'True'],
    [' [1]', ' [1]'],
    [42, 42],
    [{ x: [1] }, { x: [1] }],
    [null, null],
    [undefined, null],
  ];
  it.each(cases)('%j → %j', (raw, expected) => expect(jsonField.normalize(f(), raw)).toEqual(expected));
});

describe('json validate', () => {
  it.each([null, '', [], {}])('required rejects %j', (v) => {
    expect(jsonField.validate(f({ required: true }), v, valueCtx())).toEqual(codeError('validation_required'));
  });
  it.each([0, false, 'x', [0], { a: null }])('required accepts %j', (v) => {
    expect(jsonField.validate(f({ required: true }), v, valueCtx())).toBeNull();
  });
  it('limits the JSON text size', () => {
    expect(jsonField.validate(f({ maxSize: 5 }), 'abcd', valueCtx())).toEqual({
      code: 'validation_json_size_limit',
      message: 'The maximum allowed JSON size is 5 bytes.',
      params: { maxSize: 5 },
    });
    expect(jsonField.validate(f({ maxSize: 5 }), 'abc', valueCtx())).toBeNull();
    expect(jsonField.validate(f(), 'x'.repeat(1 << 20), valueCtx())).toMatchObject({ params: { maxSize: 1 << 20 } });
  });
  it('rejects values without JSON text', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonField.validate(f(), cyclic, valueCtx())).toEqual(codeError('validation_invalid_json'));
  });
  it('checks maxSize option', () => {
    expect(jsonField.validateOptions(f({ maxSize: -1 }), optionsCtx())).toMatchObject({ maxSize: { code: 'validation_min_greater_equal_than_required' } });
  });
});

describe('json column', () => {
  it('stores JSON text, null when unset', () => {
    expect(jsonField.toDb(f(), null)).toBeNull();
    expect(jsonField.toDb(f(), undefined)).toBeNull();
    expect(jsonField.toDb(f(), '')).toBe('""');
    expect(jsonField.toDb(f(), { a: [1] })).toBe('{"a":[1]}');
  });
  it('reads JSON text and tolerates parsed values', () => {
    expect(jsonField.fromDb(f(), '{"a":1}')).toEqual({ a: 1 });
    expect(jsonField.fromDb(f(), '"12"')).toBe('12');
    expect(jsonField.fromDb(f(), null)).toBeNull();
    expect(jsonField.fromDb(f(), { a: 1 })).toEqual({ a: 1 });
    expect(jsonField.fromDb(f(), 5)).toBe(5);
    expect(jsonField.fromDb(f(), 'not json')).toBe('not json');
  });
});

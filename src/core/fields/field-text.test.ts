import { describe, expect, it } from 'vitest';
import type { Field } from '../collections/collection.js';
import { textField } from './field-text.js';
import { makeCollection, makeField, optionsCtx, valueCtx } from './field-test-helpers.js';
import { codeError } from '../../errors/code-error.js';

/** The `id` field of docs/api.md §1.5. */
function idField(over: Record<string, unknown> = {}): Field {
  return makeField('text', {
    name: 'id',
    system: true,
    required: true,
    primaryKey: true,
    min: 15,
    max: 15,
    pattern: '^[a-z0-9]+$',
    autogeneratePattern: '[a-z0-9]{15}',
    ...over,
  });
}

describe('text withDefaults', () => {
  it('fills every option in PocketBase key order', () => {
    const out = textField.withDefaults({ name: 'title', type: 'text', max: 10 } as unknown as Field);
    expect(Object.keys(out)).toEqual([
      'id', 'name', 'type', 'system', 'hidden', 'presentable',
      'min', 'max', 'pattern', 'autogeneratePattern', 'primaryKey', 'required', 'help',
    ]);
    expect(out).toMatchObject({ id: '', max: 10, min: 0, pattern: '', primaryKey: false, required: false, help: '' });
  });
  it('drops unknown keys', () => {
    expect(textField.withDefaults(makeField('text', { bogus: 1 }))).not.toHaveProperty('bogus');
  });
});

describe('text normalize', () => {
  it.each([
    ['abc', 'abc'],
    [12, '12'],
    [true, 'true'],
    [null, ''],
    [['a'], ''],
  ])('%j → %j', (raw, expected) => expect(textField.normalize(makeField('text'), raw)).toBe(expected));
});

describe('text validate', () => {
  const cases: Array<[string, Record<string, unknown>, string, unknown]> = [
    ['optional blank', {}, '', null],
    ['required blank', { required: true }, '', codeError('validation_required')],
    ['min', { min: 3 }, 'ab', { code: 'validation_min_text_constraint', message: 'Must be at least 3 character(s).', params: { min: 3 } }],
    ['min counts code points', { min: 3 }, '😀😀😀', null],
    ['max', { max: 2 }, 'abc', { code: 'validation_max_text_constraint', message: 'Must be no more than 2 character(s).', params: { max: 2 } }],
    ['max counts code points', { max: 2 }, '😀😀', null],
    ['default max 5000', {}, 'x'.repeat(5001), { code: 'validation_max_text_constraint', message: 'Must be no more than 5000 character(s).', params: { max: 5000 } }],
    ['default max in runes', {}, '😀'.repeat(5000), null],
    ['pattern', { pattern: '^[a-z]+$' }, 'ab1', codeError('validation_invalid_format')],
    ['pattern ok', { pattern: '^[a-z]+$' }, 'abc', null],
    ['Go flag group', { pattern: '(?i)^abc$' }, 'ABC', null],
    ['Go flag group mid-pattern', { pattern: '^a(?i)bc$' }, 'aBC', null],
    ['Go identity escape', { pattern: '^\\_\\-$' }, '_-', null],
    ['dot matches a code point', { pattern: '^.$' }, '😀', null],
    ['Unicode class', { pattern: '^\\p{Greek}+$' }, 'αβ', null],
    ['unanchored', { pattern: 'b' }, 'abc', null],
    ['evil pattern on a long value', { pattern: '^([a-z0-9]+[-_]?)+$' }, 'a'.repeat(4999) + '!', codeError('validation_invalid_format')],
  ];
  it.each(cases)('%s', (_name, options, value, expected) => {
    expect(textField.validate(makeField('text', options), value, valueCtx())).toEqual(expected);
  });
});

describe('id field (docs/api.md §1.5)', () => {
  const custom = { pattern: '^.+$', min: 1, max: 50 };
  const cases: Array<[string, Record<string, unknown>, string, unknown]> = [
    ['default id ok', {}, 'abcdefghij12345', null],
    ['too short', {}, 'abc', { code: 'validation_min_text_constraint', message: 'Must be at least 15 character(s).', params: { min: 15 } }],
    ['uppercase', {}, 'ABCDEFGHIJ12345', codeError('validation_invalid_format')],
    ['blank is required', {}, '', codeError('validation_required')],
    ['forbidden slash', custom, 'a/b', { code: 'validation_forbidden_pk_character', message: "'/' is not a valid primary key character.", params: { ch: '/' } }],
    ['forbidden dot', custom, 'a.b', { code: 'validation_forbidden_pk_character', message: "'.' is not a valid primary key character.", params: { ch: '.' } }],
    ['forbidden space', custom, 'a b', { code: 'validation_forbidden_pk_character', message: "' ' is not a valid primary key character.", params: { ch: ' ' } }],
    ['reserved', custom, 'con', { code: 'validation_reserved_pk', message: "The primary key 'CON' is reserved and cannot be used.", params: { reserved: 'CON' } }],
    ['reserved COM1', custom, 'Com1', { code: 'validation_reserved_pk', message: "The primary key 'COM1' is reserved and cannot be used.", params: { reserved: 'COM1' } }],
    ['not reserved', custom, 'console', null],
  ];
  it.each(cases)('%s', (_name, over, value, expected) => {
    expect(textField.validate(idField(over), value, valueCtx())).toEqual(expected);
  });
  it('does not recheck an unchanged stored id on update', () => {
    expect(textField.validate(idField(), 'LEGACY.ID', valueCtx('LEGACY.ID', false))).toBeNull();
  });
});

describe('text validateOptions', () => {
  const ctx = optionsCtx();
  const cases: Array<[string, Record<string, unknown>, unknown]> = [
    ['defaults', {}, null],
    ['max < min', { min: 5, max: 3 }, { max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 5.', params: { threshold: 5 } } }],
    ['negative min', { min: -1 }, { min: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } } }],
    ['bad pattern', { pattern: '[a-' }, { pattern: codeError('validation_invalid_regex') }],
    ['bad autogenerate', { autogeneratePattern: '(' }, { autogeneratePattern: codeError('validation_invalid_regex') }],
    ['lookahead (RE2 refuses it)', { pattern: '^(?=a)a$' }, { pattern: codeError('validation_invalid_regex') }],
    ['backreference (RE2 refuses it)', { pattern: '^(a)\\1$' }, { pattern: codeError('validation_invalid_regex') }],
    ['repeat count over 1000 (RE2 refuses it)', { pattern: 'a{1001}' }, { pattern: codeError('validation_invalid_regex') }],
    ['JS-only escape (RE2 refuses it)', { pattern: '\\u00e9' }, { pattern: codeError('validation_invalid_regex') }],
    ['lookbehind autogenerate', { autogeneratePattern: '(?<=a)b' }, { autogeneratePattern: codeError('validation_invalid_regex') }],
    ['RE2 syntax JS lacks', { pattern: '^\\pL+\\z' }, null],
    ['nested quantifiers (linear on RE2)', { pattern: '^([a-z0-9]+[-_]?)+$' }, null],
    ['wrong kind', { min: 'x' }, { min: codeError('validation_invalid_value') }],
    ['long help', { help: 'x'.repeat(301) }, { help: { code: 'validation_length_too_long', message: 'The length must be no more than 300.', params: { min: 0, max: 300 } } }],
  ];
  it.each(cases)('%s', (_name, options, expected) => {
    expect(textField.validateOptions(makeField('text', options), ctx)).toEqual(expected);
  });

  it('rejects an autogenerate pattern that breaks max', () => {
    const errs = textField.validateOptions(makeField('text', { max: 5, autogeneratePattern: '[a-z]{10}' }), ctx);
    expect(errs?.autogeneratePattern).toMatchObject({ code: 'validation_invalid_autogenerate_pattern_value' });
  });

  it('rejects an autogenerate pattern that could generate a huge value', () => {
    const errs = textField.validateOptions(makeField('text', { max: 0, autogeneratePattern: '(((a*)*)*)*' }), ctx);
    expect(errs?.autogeneratePattern).toMatchObject({ code: 'validation_invalid_autogenerate_pattern' });
  });

  it('accepts the default id field', () => {
    const id = idField();
    expect(textField.validateOptions(id, optionsCtx(makeCollection({ fields: [id] })))).toBeNull();
  });

  it('checks primary key rules', () => {
    const pk = idField({ name: 'key', hidden: true, required: false, pattern: '' });
    const other = idField();
    const errs = textField.validateOptions(pk, optionsCtx(makeCollection({ fields: [other, pk] })));
    expect(errs).toEqual({
      name: { code: 'validation_in_invalid', message: 'The primary key must be named "id".' },
      primaryKey: codeError('validation_unsupported_composite_pk'),
      hidden: codeError('validation_empty'),
      required: codeError('validation_required'),
      pattern: codeError('validation_required'),
    });
  });
});

describe('text autogenerate', () => {
  it('generates from the pattern', () => {
    expect(textField.autogenerate?.(idField())).toMatch(/^[a-z0-9]{15}$/);
    expect(textField.autogenerate?.(makeField('text', { autogeneratePattern: '[a-zA-Z0-9]{50}' }))).toMatch(/^[a-zA-Z0-9]{50}$/);
  });
  it('gives undefined without a pattern', () => {
    expect(textField.autogenerate?.(makeField('text'))).toBeUndefined();
  });
});

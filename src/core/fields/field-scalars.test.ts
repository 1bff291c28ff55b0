import { describe, expect, it } from 'vitest';
import { autodateField } from './field-autodate.js';
import { boolField } from './field-bool.js';
import { dateField } from './field-date.js';
import { editorField } from './field-editor.js';
import { emailField } from './field-email.js';
import { geoPointField } from './field-geo-point.js';
import { numberField } from './field-number.js';
import { passwordField } from './field-password.js';
import { urlField } from './field-url.js';
import { makeField, optionsCtx, valueCtx } from './field-test-helpers.js';
import { codeError } from '../../errors/code-error.js';

const required = codeError('validation_required');

describe('number', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('number', o);

  it.each([
    [5, 5],
    ['12.5', 12.5],
    [true, 1],
    ['abc', 0],
    [null, 0],
  ])('normalize %j → %d', (raw, expected) => expect(numberField.normalize(f(), raw)).toBe(expected));

  it('applies n+ and n- ({"n":1,"n+":5} → 6)', () => {
    expect(numberField.applyModifier(f(), 1, 'append', 5)).toBe(6);
    expect(numberField.applyModifier(f(), 1, 'append', '2.5')).toBe(3.5);
    expect(numberField.applyModifier(f(), 10, 'remove', 4)).toBe(6);
    expect(numberField.applyModifier(f(), 10, 'prepend', 4)).toBeUndefined();
  });

  const cases: Array<[string, Record<string, unknown>, unknown, unknown]> = [
    ['zero optional', { min: 5 }, 0, null],
    ['zero required', { required: true }, 0, required],
    ['NaN', {}, NaN, codeError('validation_not_a_number')],
    ['Infinity', {}, Infinity, codeError('validation_not_a_number')],
    ['onlyInt', { onlyInt: true }, 1.5, codeError('validation_only_int_constraint')],
    ['min', { min: 5 }, 3, { code: 'validation_min_number_constraint', message: 'Must be greater or equal than 5.', params: { min: 5 } }],
    ['max', { max: 2.5 }, 3, { code: 'validation_max_number_constraint', message: 'Must be less or equal than 2.5.', params: { max: 2.5 } }],
    ['in range', { min: -1, max: 1 }, 0.5, null],
  ];
  it.each(cases)('validate %s', (_n, o, v, expected) => expect(numberField.validate(f(o), v, valueCtx())).toEqual(expected));

  it('checks options', () => {
    expect(numberField.validateOptions(f({ min: 5, max: 1 }), optionsCtx())).toEqual({
      max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 5.', params: { threshold: 5 } },
    });
    expect(numberField.validateOptions(f({ onlyInt: true, min: 1.5 }), optionsCtx())).toMatchObject({
      min: { code: 'validation_only_int_constraint' },
    });
    expect(numberField.validateOptions(numberField.withDefaults(f()), optionsCtx())).toBeNull();
  });

  it('reads and writes the column', () => {
    expect(numberField.fromDb(f(), '12.5')).toBe(12.5);
    expect(numberField.fromDb(f(), null)).toBe(0);
    expect(numberField.toDb(f(), 3)).toBe(3);
  });
});

describe('bool', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('bool', o);
  it.each([
    ['true', true],
    [1, true],
    ['1', true],
    ['false', false],
    [0, false],
    [null, false],
  ])('normalize %j → %j', (raw, expected) => expect(boolField.normalize(f(), raw)).toBe(expected));
  it('required means true', () => {
    expect(boolField.validate(f({ required: true }), false, valueCtx())).toEqual(required);
    expect(boolField.validate(f({ required: true }), true, valueCtx())).toBeNull();
    expect(boolField.validate(f(), false, valueCtx())).toBeNull();
  });
  it('stores 0/1 and reads 0/1/true/false', () => {
    expect(boolField.toDb(f(), true)).toBe(1);
    expect(boolField.toDb(f(), false)).toBe(0);
    expect([1, 0, true, false, '1'].map((v) => boolField.fromDb(f(), v))).toEqual([true, false, true, false, true]);
  });
});

describe('email', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('email', o);
  const invalid = codeError('validation_is_email');
  const notAllowed = codeError('validation_email_domain_not_allowed');
  const cases: Array<[string, Record<string, unknown>, unknown]> = [
    ['a@example.com', {}, null],
    ['first.last+tag@sub.example.co', {}, null],
    ['', {}, null],
    ['', { required: true }, required],
    ['plain', {}, invalid],
    ['a@b', {}, invalid],
    ['a..b@example.com', {}, invalid],
    ['.a@example.com', {}, invalid],
    ['a b@example.com', {}, invalid],
    ['a@example.com', { onlyDomains: ['example.org'] }, notAllowed],
    ['a@example.org', { onlyDomains: ['example.org'] }, null],
    ['a@example.com', { exceptDomains: ['example.com'] }, notAllowed],
  ];
  it.each(cases)('%j %j', (v, o, expected) => expect(emailField.validate(f(o), v, valueCtx())).toEqual(expected));

  it('checks the domain lists', () => {
    expect(emailField.validateOptions(f({ exceptDomains: ['a.com'], onlyDomains: ['b.com'] }), optionsCtx())).toEqual({
      exceptDomains: codeError('validation_empty'),
      onlyDomains: codeError('validation_empty'),
    });
    expect(emailField.validateOptions(f({ onlyDomains: ['ok.com', 'not a domain'] }), optionsCtx())).toEqual({
      onlyDomains: { '1': codeError('validation_is_domain') },
    });
    expect(emailField.validateOptions(emailField.withDefaults(f()), optionsCtx())).toBeNull();
  });
});

describe('url', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('url', o);
  const invalid = codeError('validation_invalid_url');
  const notAllowed = codeError('validation_url_domain_not_allowed');
  const cases: Array<[string, Record<string, unknown>, unknown]> = [
    ['https://example.com', {}, null],
    ['http://localhost:8090/api?x=1#y', {}, null],
    ['https://user:pw@sub.example.com/path', {}, null],
    ['http://[::1]:80/', {}, null],
    ['', { required: true }, required],
    ['example.com', {}, invalid],
    ['javascript:alert(1)', {}, invalid],
    ['https://', {}, invalid],
    ['https://exa mple.com', {}, invalid],
    ['https://example.com', { onlyDomains: ['example.org'] }, notAllowed],
    ['https://example.org/x', { onlyDomains: ['example.org'] }, null],
    ['https://example.org:8080/x', { onlyDomains: ['example.org'] }, notAllowed],
    ['https://example.com', { exceptDomains: ['example.com'] }, notAllowed],
  ];
  it.each(cases)('%j %j', (v, o, expected) => expect(urlField.validate(f(o), v, valueCtx())).toEqual(expected));
});

describe('editor', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('editor', o);
  it('checks the byte size', () => {
    expect(editorField.validate(f({ maxSize: 4 }), 'ééé', valueCtx())).toEqual({
      code: 'validation_content_size_limit',
      message: 'The maximum allowed content size is 4 bytes.',
      params: { maxSize: 4 },
    });
    expect(editorField.validate(f(), 'x'.repeat(5 << 20), valueCtx())).toBeNull();
    expect(editorField.validate(f(), 'x'.repeat((5 << 20) + 1), valueCtx())).toMatchObject({ params: { maxSize: 5 << 20 } });
    expect(editorField.validate(f({ required: true }), '', valueCtx())).toEqual(required);
  });
  it('has maxSize and convertURLs', () => {
    expect(editorField.withDefaults(f())).toMatchObject({ maxSize: 0, convertURLs: false });
  });
});

describe('date', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('date', o);
  it.each([
    ['2024-05-01', '2024-05-01 00:00:00.000Z'],
    ['2024-05-01T10:00:00+02:00', '2024-05-01 08:00:00.000Z'],
    ['garbage', ''],
    [null, ''],
  ])('normalize %j → %j', (raw, expected) => expect(dateField.normalize(f(), raw)).toBe(expected));

  const range = { min: '2024-01-01 00:00:00.000Z', max: '2024-12-31 00:00:00.000Z' };
  const cases: Array<[string, Record<string, unknown>, string, unknown]> = [
    ['blank', range, '', null],
    ['blank required', { required: true }, '', required],
    ['in range', range, '2024-06-01 00:00:00.000Z', null],
    ['before min', range, '2023-06-01 00:00:00.000Z', {
      code: 'validation_min_greater_equal_than_required',
      message: 'Must be no less than 2024-01-01 00:00:00.000Z.',
      params: { threshold: '2024-01-01 00:00:00.000Z' },
    }],
    ['after max', range, '2025-06-01 00:00:00.000Z', {
      code: 'validation_max_less_equal_than_required',
      message: 'Must be no greater than 2024-12-31 00:00:00.000Z.',
      params: { threshold: '2024-12-31 00:00:00.000Z' },
    }],
  ];
  it.each(cases)('validate %s', (_n, o, v, expected) => expect(dateField.validate(f(o), v, valueCtx())).toEqual(expected));

  it('normalizes bounds and checks their order', () => {
    expect(dateField.withDefaults(f({ min: '2024-01-01', max: 'bad' }))).toMatchObject({ min: '2024-01-01 00:00:00.000Z', max: '' });
    expect(dateField.validateOptions(f({ min: '2024-02-01', max: '2024-01-01' }), optionsCtx())).toEqual({
      max: codeError('validation_date_out_of_range'),
    });
  });
});

describe('autodate', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('autodate', o);
  it('has no required/help', () => {
    expect(Object.keys(autodateField.withDefaults(f()))).toEqual([
      'id', 'name', 'type', 'system', 'hidden', 'presentable', 'onCreate', 'onUpdate',
    ]);
  });
  it('needs onCreate or onUpdate', () => {
    const msg = { code: 'validation_required', message: 'Either onCreate or onUpdate must be enabled.' };
    expect(autodateField.validateOptions(f({ onCreate: false, onUpdate: false }), optionsCtx())).toEqual({ onCreate: msg, onUpdate: msg });
    expect(autodateField.validateOptions(f({ onCreate: true }), optionsCtx())).toBeNull();
  });
  it('keeps system autodates as they were', () => {
    const old = f({ system: true, onCreate: true, onUpdate: false });
    expect(autodateField.validateOptions(f({ system: true, onCreate: true, onUpdate: true }), optionsCtx(undefined, [], old))).toEqual({
      onUpdate: { code: 'validation_values_mismatch', message: "Values don't match." },
    });
  });
  it('accepts any value (the server sets it)', () => {
    const created = f({ onCreate: true, onUpdate: false });
    expect(autodateField.validate(created, 'anything', valueCtx())).toBeNull();
  });
});

describe('password', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('password', o);
  const cases: Array<[string, Record<string, unknown>, string, unknown, unknown]> = [
    ['short', { min: 8 }, 'abc', undefined, { code: 'validation_min_text_constraint', message: 'Must be at least 8 character(s).', params: { min: 8 } }],
    ['default max 71', {}, 'x'.repeat(72), undefined, { code: 'validation_max_text_constraint', message: 'Must be no more than 71 character(s).', params: { max: 71 } }],
    ['max', { max: 10 }, 'x'.repeat(11), undefined, { code: 'validation_max_text_constraint', message: 'Must be no more than 10 character(s).', params: { max: 10 } }],
    ['pattern', { pattern: '\\d' }, 'abcdefgh', undefined, codeError('validation_invalid_format')],
    ['ok', { min: 8, pattern: '\\d' }, 'abcdefg1', undefined, null],
    ['required new', { required: true }, '', undefined, required],
    ['required with stored hash', { required: true }, '', '$2a$10$hash', null],
  ];
  it.each(cases)('%s', (_n, o, v, old, expected) =>
    expect(passwordField.validate(f(o), v, valueCtx(old, old === undefined))).toEqual(expected));

  it('checks options', () => {
    expect(passwordField.validateOptions(f({ min: 72, cost: 3 }), optionsCtx())).toEqual({
      min: { code: 'validation_max_less_equal_than_required', message: 'Must be no greater than 71.', params: { threshold: 71 } },
      cost: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 4.', params: { threshold: 4 } },
    });
    expect(passwordField.validateOptions(f({ min: 8, max: 5 }), optionsCtx())).toEqual({
      max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 8.', params: { threshold: 8 } },
    });
    expect(passwordField.validateOptions(passwordField.withDefaults(f()), optionsCtx())).toBeNull();
  });
});

describe('geoPoint', () => {
  const f = (o: Record<string, unknown> = {}) => makeField('geoPoint', o);
  it.each([
    [{ lon: 1.5, lat: 2 }, { lon: 1.5, lat: 2 }],
    ['{"lon":10,"lat":-5}', { lon: 10, lat: -5 }],
    [{ lat: 3 }, { lon: 0, lat: 3 }],
    [{ lon: '1', lat: 2 }, { lon: 0, lat: 0 }],
    ['nope', { lon: 0, lat: 0 }],
    [null, { lon: 0, lat: 0 }],
  ])('normalize %j', (raw, expected) => expect(geoPointField.normalize(f(), raw)).toEqual(expected));
  it('validates', () => {
    expect(geoPointField.validate(f({ required: true }), { lon: 0, lat: 0 }, valueCtx())).toEqual(required);
    expect(geoPointField.validate(f(), { lon: 0, lat: 91 }, valueCtx())).toEqual({
      code: 'validation_invalid_latitude', message: 'Latitude must be between -90 and 90 degrees.',
    });
    expect(geoPointField.validate(f(), { lon: -181, lat: 0 }, valueCtx())).toEqual({
      code: 'validation_invalid_longitude', message: 'Longitude must be between -180 and 180 degrees.',
    });
    expect(geoPointField.validate(f(), { lon: 180, lat: -90 }, valueCtx())).toBeNull();
  });
  it('stores JSON text', () => {
    expect(geoPointField.toDb(f(), { lon: 1, lat: 2 })).toBe('{"lon":1,"lat":2}');
    expect(geoPointField.fromDb(f(), '{"lon":1,"lat":2}')).toEqual({ lon: 1, lat: 2 });
    expect(geoPointField.defaultValue(f())).toEqual({ lon: 0, lat: 0 });
  });
});

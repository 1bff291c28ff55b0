import { describe, expect, it } from 'vitest';
import type { Field, FieldTypeName } from '../collections/collection.js';
import { fieldTypeNames, getFieldType } from './field-registry.js';
import { makeField, optionsCtx } from './field-test-helpers.js';

const common = ['id', 'name', 'type', 'system', 'hidden', 'presentable'];

describe('field registry', () => {
  it('knows every type of docs/api.md §2.5', () => {
    expect([...fieldTypeNames].sort()).toEqual(
      ['autodate', 'bool', 'date', 'editor', 'email', 'file', 'geoPoint', 'json', 'number', 'password', 'relation', 'select', 'text', 'url'],
    );
    for (const name of fieldTypeNames) expect(getFieldType(name)?.type).toBe(name);
  });
  it('gives undefined for unknown names', () => {
    expect(getFieldType('TEXT')).toBeUndefined();
    expect(getFieldType('toString')).toBeUndefined();
    expect(getFieldType('')).toBeUndefined();
  });
});

describe('withDefaults', () => {
  const cases: Array<[FieldTypeName, Record<string, unknown>]> = [
    ['text', { min: 0, max: 0, pattern: '', autogeneratePattern: '', primaryKey: false, required: false, help: '' }],
    ['number', { min: null, max: null, onlyInt: false, required: false, help: '' }],
    ['bool', { required: false, help: '' }],
    ['email', { exceptDomains: [], onlyDomains: [], required: false, help: '' }],
    ['url', { exceptDomains: [], onlyDomains: [], required: false, help: '' }],
    ['editor', { maxSize: 0, convertURLs: false, required: false, help: '' }],
    ['date', { min: '', max: '', required: false, help: '' }],
    ['autodate', { onCreate: false, onUpdate: false }],
    ['select', { values: [], maxSelect: 1, required: false, help: '' }],
    ['file', { maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false, required: false, help: '' }],
    ['relation', { collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 1, required: false, help: '' }],
    ['json', { maxSize: 0, required: false, help: '' }],
    ['password', { min: 0, max: 0, pattern: '', cost: 0, required: false, help: '' }],
    ['geoPoint', { required: false, help: '' }],
  ];
  it.each(cases)('%s: every option in order', (type, options) => {
    const out = getFieldType(type)!.withDefaults({ name: 'f', type } as Field);
    expect(Object.keys(out)).toEqual([...common, ...Object.keys(options)]);
    expect(out).toEqual({ id: '', name: 'f', type, system: false, hidden: false, presentable: false, ...options });
  });
  it('keeps given values and turns null lists into []', () => {
    const out = getFieldType('select')!.withDefaults(makeField('select', { values: ['a'], maxSelect: 3, hidden: true }));
    expect(out).toMatchObject({ values: ['a'], maxSelect: 3, hidden: true, id: 'select1' });
    expect(getFieldType('file')!.withDefaults(makeField('file', { thumbs: null })).thumbs).toEqual([]);
  });
  it('gives options that pass validation', () => {
    for (const type of ['text', 'number', 'bool', 'email', 'url', 'editor', 'date', 'file', 'json', 'password', 'geoPoint'] as const) {
      const ft = getFieldType(type)!;
      expect(ft.validateOptions(ft.withDefaults(makeField(type)), optionsCtx())).toBeNull();
    }
  });
});

describe('storage', () => {
  const cases: Array<[FieldTypeName, Record<string, unknown>, string, unknown]> = [
    ['text', {}, 'text', ''],
    ['email', {}, 'text', ''],
    ['url', {}, 'text', ''],
    ['editor', {}, 'text', ''],
    ['date', {}, 'text', ''],
    ['autodate', {}, 'text', ''],
    ['password', {}, 'text', ''],
    ['number', {}, 'number', 0],
    ['bool', {}, 'bool', false],
    ['select', { maxSelect: 1 }, 'text', ''],
    ['select', { maxSelect: 2 }, 'json', []],
    ['relation', { maxSelect: 0 }, 'text', ''],
    ['relation', { maxSelect: 5 }, 'json', []],
    ['file', { maxSelect: 1 }, 'text', ''],
    ['file', { maxSelect: 3 }, 'json', []],
    ['json', {}, 'json', null],
    ['geoPoint', {}, 'json', { lon: 0, lat: 0 }],
  ];
  it.each(cases)('%s %j → %s column, default %j', (type, options, kind, def) => {
    const ft = getFieldType(type)!;
    const field = ft.withDefaults(makeField(type, options));
    expect(ft.columnKind(field)).toBe(kind);
    expect(ft.defaultValue(field)).toEqual(def);
    expect(ft.isMultiple(field)).toBe(Array.isArray(def));
  });

  it('round-trips values through toDb/fromDb', () => {
    const values: Array<[FieldTypeName, Record<string, unknown>, unknown]> = [
      ['text', {}, 'hello'],
      ['number', {}, 1.25],
      ['bool', {}, true],
      ['date', {}, '2024-05-01 09:30:00.123Z'],
      ['select', { values: ['a', 'b'], maxSelect: 2 }, ['a', 'b']],
      ['relation', { maxSelect: 1 }, 'abc'],
      ['json', {}, { nested: [1, 'two', null] }],
      ['json', {}, null],
      ['geoPoint', {}, { lon: 1.5, lat: -2 }],
    ];
    for (const [type, options, value] of values) {
      const ft = getFieldType(type)!;
      const field = ft.withDefaults(makeField(type, options));
      expect(ft.fromDb(field, ft.toDb(field, value))).toEqual(value);
    }
  });

  it('others have no modifiers', () => {
    for (const type of ['text', 'bool', 'email', 'url', 'editor', 'date', 'autodate', 'json', 'password', 'geoPoint'] as const) {
      expect(getFieldType(type)!.applyModifier(makeField(type), 'x', 'append', 'y')).toBeUndefined();
    }
  });
});

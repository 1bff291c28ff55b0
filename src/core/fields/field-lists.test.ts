import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { PendingFile } from '../files/pending-file.js';
import { fileField } from './field-file.js';
import { relationField } from './field-relation.js';
import { selectField } from './field-select.js';
import { castToString } from './field-cast.js';
import { storedStringList } from './field-multi.js';
import { makeCollection, makeField, optionsCtx, valueCtx } from './field-test-helpers.js';
import { codeError } from '../../errors/code-error.js';

const required = codeError('validation_required');

describe('select', () => {
  const single = makeField('select', { values: ['a', 'b', 'c'], maxSelect: 1 });
  const multi = makeField('select', { values: ['a', 'b', 'c'], maxSelect: 2 });

  const normalizeCases: Array<[string, unknown, unknown]> = [
    ['single keeps last', ['a', 'b'], 'b'],
    ['single from string', 'a', 'a'],
    ['single empty', [], ''],
    ['single null', null, ''],
    ['multi unique', ['a', 'b', 'a', ''], ['a', 'b']],
    ['multi from string', 'a', ['a']],
    ['multi from JSON text', '["b","c"]', ['b', 'c']],
    ['multi null', null, []],
  ];
  it.each(normalizeCases)('normalize %s', (name, raw, expected) => {
    expect(selectField.normalize(name.startsWith('single') ? single : multi, raw)).toEqual(expected);
  });

  it('applies modifiers', () => {
    expect(selectField.applyModifier(multi, ['a'], 'append', 'b')).toEqual(['a', 'b']);
    expect(selectField.applyModifier(multi, ['a'], 'prepend', ['c'])).toEqual(['c', 'a']);
    expect(selectField.applyModifier(multi, ['a', 'b', 'c'], 'remove', 'b')).toEqual(['a', 'c']);
    expect(selectField.applyModifier(multi, ['a', 'b', 'c'], 'remove', ['a', 'c'])).toEqual(['b']);
    expect(selectField.applyModifier(single, 'a', 'append', ['b', 'c'])).toBe('c');
    expect(selectField.applyModifier(single, 'a', 'prepend', 'b')).toBe('a');
    expect(selectField.applyModifier(single, 'a', 'remove', 'a')).toBe('');
  });

  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['ok', multi, ['a', 'c'], null],
    ['empty optional', multi, [], null],
    ['empty required', { ...multi, required: true }, [], required],
    ['single required', { ...single, required: true }, '', required],
    ['invalid value', multi, ['a', 'x'], { code: 'validation_invalid_value', message: 'Invalid value x.', params: { value: 'x' } }],
    ['too many', multi, ['a', 'b', 'c'], { code: 'validation_too_many_values', message: 'Select no more than 2.', params: { maxSelect: 2 } }],
  ];
  it.each(cases)('validate %s', (_n, field, value, expected) => {
    expect(selectField.validate(field as typeof multi, value, valueCtx())).toEqual(expected);
  });

  it('checks options', () => {
    expect(selectField.validateOptions(makeField('select', { values: [], maxSelect: 1 }), optionsCtx())).toEqual({ values: required });
    expect(selectField.validateOptions(makeField('select', { values: ['a', 'b'], maxSelect: 3 }), optionsCtx())).toEqual({
      maxSelect: { code: 'validation_max_less_equal_than_required', message: 'Must be no greater than 2.', params: { threshold: 2 } },
    });
    expect(selectField.validateOptions(multi, optionsCtx())).toBeNull();
  });

  it('maps columns', () => {
    expect(selectField.columnKind(single)).toBe('text');
    expect(selectField.columnKind(multi)).toBe('json');
    expect(selectField.isMultiple(multi)).toBe(true);
    expect(selectField.defaultValue(single)).toBe('');
    expect(selectField.defaultValue(multi)).toEqual([]);
    expect(selectField.toDb(multi, ['a', 'b'])).toBe('["a","b"]');
    expect(selectField.toDb(single, 'a')).toBe('a');
    expect(selectField.fromDb(multi, '["a","b"]')).toEqual(['a', 'b']);
    expect(selectField.fromDb(multi, ['a'])).toEqual(['a']);
    expect(selectField.fromDb(multi, 'plain')).toEqual(['plain']);
    expect(selectField.fromDb(multi, '')).toEqual([]);
    expect(selectField.fromDb(multi, null)).toEqual([]);
    expect(selectField.fromDb(single, 'a')).toBe('a');
    expect(selectField.fromDb(single, '["a","b"]')).toBe('b');
  });
});

describe('relation', () => {
  const users = makeCollection({ id: 'pbc_users', name: 'users' });
  const view = makeCollection({ id: 'pbc_view', name: 'stats', type: 'view' });
  const rel = (o: Record<string, unknown> = {}) =>
    relationField.withDefaults(makeField('relation', { collectionId: 'pbc_users', ...o }));

  it('fills defaults in order', () => {
    expect(Object.keys(rel())).toEqual([
      'id', 'name', 'type', 'system', 'hidden', 'presentable',
      'collectionId', 'cascadeDelete', 'minSelect', 'maxSelect', 'required', 'help',
    ]);
  });

  it('checks options', () => {
    const ctx = optionsCtx(makeCollection(), [users, view]);
    expect(relationField.validateOptions(rel(), ctx)).toBeNull();
    expect(relationField.validateOptions(rel({ collectionId: '' }), ctx)).toEqual({ collectionId: required });
    expect(relationField.validateOptions(rel({ collectionId: 'users' }), ctx)).toEqual({
      collectionId: { code: 'validation_field_relation_missing_collection', message: "The relation collection doesn't exist." },
    });
    expect(relationField.validateOptions(rel({ collectionId: 'pbc_view' }), ctx)).toEqual({
      collectionId: codeError('validation_relation_field_non_view_base_collection'),
    });
    const viewCtx = optionsCtx(makeCollection({ type: 'view' }), [users, view]);
    expect(relationField.validateOptions(rel({ collectionId: 'pbc_view' }), viewCtx)).toBeNull();
    const changed = optionsCtx(makeCollection(), [users, view], rel({ collectionId: 'pbc_view' }));
    expect(relationField.validateOptions(rel(), changed)).toEqual({
      collectionId: codeError('validation_field_relation_change'),
    });
    expect(relationField.validateOptions(rel({ minSelect: 3, maxSelect: 2 }), ctx)).toEqual({
      maxSelect: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 3.', params: { threshold: 3 } },
    });
    expect(relationField.validateOptions(rel({ minSelect: 2, maxSelect: 0 }), ctx)).toEqual({ maxSelect: required });
  });

  it('normalizes and modifies', () => {
    expect(relationField.normalize(rel(), ['x', 'y'])).toBe('y');
    expect(relationField.normalize(rel({ maxSelect: 5 }), 'x')).toEqual(['x']);
    expect(relationField.applyModifier(rel({ maxSelect: 5 }), ['x'], 'append', ['y', 'x'])).toEqual(['x', 'y']);
    expect(relationField.applyModifier(rel({ maxSelect: 5 }), ['x', 'y'], 'remove', 'x')).toEqual(['y']);
  });

  it('validates counts', () => {
    const multi = rel({ minSelect: 2, maxSelect: 3 });
    expect(relationField.validate(multi, ['a'], valueCtx())).toEqual({
      code: 'validation_not_enough_values', message: 'Select at least 2.', params: { minSelect: 2 },
    });
    expect(relationField.validate(multi, ['a', 'b', 'c', 'd'], valueCtx())).toEqual({
      code: 'validation_too_many_values', message: 'Select no more than 3.', params: { maxSelect: 3 },
    });
    expect(relationField.validate(multi, ['a', 'b'], valueCtx())).toBeNull();
    expect(relationField.validate(multi, [], valueCtx())).toBeNull();
    expect(relationField.validate(rel({ required: true }), '', valueCtx())).toEqual(required);
  });
});

describe('file', () => {
  const single = fileField.withDefaults(makeField('file'));
  const multi = fileField.withDefaults(makeField('file', { maxSelect: 2 }));
  let upload: PendingFile;
  let png: PendingFile;
  beforeAll(async () => {
    upload = await PendingFile.create('new.txt', Buffer.from('hello'));
    png = await PendingFile.create('pic.png', Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'));
  });

  it('fills defaults', () => {
    expect(single).toMatchObject({ maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false, required: false });
  });

  it('checks thumbs', () => {
    const f = makeField('file', { thumbs: ['100x100', '0x0', '100x50t', '0x300', '100x0', 'abc', '10x10z', '0x0f'] });
    expect(fileField.validateOptions(f, optionsCtx())).toEqual({
      thumbs: {
        '1': codeError('validation_not_in_invalid'),
        '5': codeError('validation_match_invalid'),
        '6': codeError('validation_match_invalid'),
        '7': codeError('validation_not_in_invalid'),
      },
    });
    expect(fileField.validateOptions(multi, optionsCtx())).toBeNull();
  });

  it('normalizes filenames and keeps uploads', () => {
    expect(fileField.normalize(single, ['a.png', 'b.png'])).toBe('b.png');
    expect(fileField.normalize(multi, ['a.png', '', 'a.png', upload])).toEqual(['a.png', upload]);
    expect(fileField.normalize(multi, 'a.png')).toEqual(['a.png']);
    expect(fileField.normalize(multi, null)).toEqual([]);
  });

  it('applies modifiers', () => {
    expect(fileField.applyModifier(multi, ['a.png'], 'append', upload)).toEqual(['a.png', upload]);
    expect(fileField.applyModifier(multi, ['a.png'], 'prepend', [upload])).toEqual([upload, 'a.png']);
    expect(fileField.applyModifier(multi, ['a.png', 'b.png'], 'remove', 'a.png')).toEqual(['b.png']);
    expect(fileField.applyModifier(multi, ['a.png', 'b.png'], 'remove', ['a.png', 'b.png'])).toEqual([]);
    expect(fileField.applyModifier(single, 'a.png', 'remove', ['a.png'])).toBe('');
  });

  it('validates names against the stored value and the count', () => {
    expect(fileField.validate(multi, ['a.png', 'x.png'], valueCtx(['a.png'], false))).toEqual({
      code: 'validation_invalid_file', message: 'Invalid new files: [x.png].', params: { invalidFiles: ['x.png'] },
    });
    expect(fileField.validate(multi, ['a.png', upload], valueCtx('["a.png"]', false))).toBeNull();
    expect(fileField.validate(multi, ['a.png', 'b.png', upload], valueCtx(['a.png', 'b.png'], false))).toEqual({
      code: 'validation_too_many_files', message: 'The maximum allowed files is 2.', params: { maxSelect: 2 },
    });
    expect(fileField.validate({ ...multi, required: true }, [], valueCtx([]))).toEqual(required);
    expect(fileField.validate(single, 'a.png', valueCtx(''))).toMatchObject({ code: 'validation_invalid_file' });
  });

  it('never takes a client object for an upload', () => {
    expect(fileField.normalize(multi, [{ name: 'x.png', size: 1 }, 'a.png'])).toEqual(['a.png']);
    expect(fileField.toDb(multi, [{ name: 'x.png' }])).toBe('[]');
  });

  it('checks each upload\'s size and content type', () => {
    const small = { ...multi, maxSize: 4 };
    expect(fileField.validate(small, [upload], valueCtx([]))).toEqual({
      code: 'validation_file_size_limit',
      message: 'Failed to upload "new.txt" - the maximum allowed file size is 4 bytes.',
      params: { file: 'new.txt', maxSize: 4 },
    });
    const images = { ...multi, mimeTypes: ['image/png', 'image/jpeg'] };
    expect(fileField.validate(images, [png], valueCtx([]))).toBeNull();
    expect(fileField.validate(images, [upload], valueCtx([]))).toEqual({
      code: 'validation_invalid_mime_type', message: `"${upload.name}" mime type must be one of: image/png, image/jpeg.`,
    });
    expect(fileField.validate({ ...multi, mimeTypes: ['text/plain'] }, [upload], valueCtx([]))).toBeNull();
  });

  it('stores names', () => {
    expect(fileField.toDb(multi, ['a.png', upload])).toBe(JSON.stringify(['a.png', upload.name]));
    expect(upload.name).toMatch(/^new_[a-z0-9]{10}\.txt$/);
    expect(fileField.toDb(single, 'a.png')).toBe('a.png');
    expect(fileField.fromDb(multi, '["a.png"]')).toEqual(['a.png']);
    expect(fileField.fromDb(single, 'a.png')).toBe('a.png');
  });
});

describe('storedStringList', () => {
  // The reading before the JSON.parse shortcut: parse, and fall back to one plain item.
  function reference(text: string): string[] {
    if (text === '') return [];
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map((v) => castToString(v)).filter((s) => s !== '');
      if (typeof parsed === 'string') return parsed === '' ? [] : [parsed];
    } catch {
      // a plain string
    }
    return [text];
  }

  it('reads every stored text as parsing it would', () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(fc.oneof(fc.string(), fc.integer())).map((a) => JSON.stringify(a)),
      fc.tuple(fc.constantFrom(' ', '\n', '\t', '\r', ''), fc.json()).map(([ws, j]) => ws + j),
    );
    fc.assert(fc.property(jsonish, (text) => {
      expect(storedStringList(text)).toEqual(reference(text));
    }), { numRuns: 3000 });
  });
});

/**
 * The `file` field type (docs/api.md §2.5, §8): its options, the normalisation of
 * filename values, and the checks of count, size, name and content type.
 * Uploads travel inside the value as PendingFile objects until the record
 * service stores them (record-files.ts); any other object a client sends
 * (e.g. JSON `{"name": …}`) is never taken for an upload.
 */
import type { FieldError } from '../../errors/app-error.js';
import type { Field } from '../collections/collection.js';
import type { FieldType, Modifier } from './field-type.js';
import { isPendingFile, type PendingFile } from '../files/pending-file.js';
import { mimeMatches } from '../files/mime-detect.js';
import { castToUniqueStrings } from './field-cast.js';
import { checkOptionKinds, checkRange, maxSafeJSONInt, shapeField, strListOpt } from './field-common.js';
import { effectiveMaxSelect, isMultiValue, shapeList, storedStringList, stringListShape } from './field-multi.js';
import { codeError } from '../../errors/code-error.js';

/** The per-file size cap when `maxSize` is 0: 5 MiB. */
export const defaultFileMaxSize = 5 << 20;

/** One item of a file value: a stored filename, or a pending upload. */
export type FileItem = string | PendingFile;

const keys = { required: true, help: true };

// `WxH`, `WxHt`, `WxHb`, `WxHf`, `0xH`, `Wx0` (docs/api.md §2.5); `0x0` in any variant is refused separately.
const thumbRe = /^(\d+)x(\d+)(t|b|f)?$/;
const zeroThumbs = new Set(['0x0', '0x0t', '0x0b', '0x0f']);

// PocketBase's looseFilenameRegex: a stored name never starts with a dot and holds no slash.
const looseFilenameRe = /^[^./\\][^/\\]+$/;

/** Any input → the unique items of a file value: filenames (non-empty strings) and PendingFiles. */
export function fileItems(raw: unknown): FileItem[] {
  const out: FileItem[] = [];
  const seen = new Set<unknown>();
  const add = (item: FileItem): void => {
    if (seen.has(item)) return;
    seen.add(item);
    out.push(item);
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isPendingFile(v)) add(v);
    else castToUniqueStrings(v).forEach(add);
  };
  walk(raw);
  return out;
}

/** The filename of an item: the string itself, or an upload's stored name. */
export function fileItemName(item: FileItem): string {
  return typeof item === 'string' ? item : item.name;
}

/** The effective per-file size cap of a field: `maxSize`, or 5 MiB when 0. */
export function fileMaxSize(field: Field): number {
  const max = typeof field.maxSize === 'number' ? field.maxSize : 0;
  return max > 0 ? max : defaultFileMaxSize;
}

/** The first problem of one upload: stored-name shape, size, then content type. */
function validateUpload(field: Field, file: PendingFile): FieldError | null {
  if (file.name.length < 1 || file.name.length > 150) return codeError('validation_length_out_of_range', { min: 1, max: 150 });
  if (!looseFilenameRe.test(file.name)) return codeError('validation_match_invalid');
  const maxSize = fileMaxSize(field);
  if (file.size > maxSize) {
    return codeError('validation_file_size_limit', { file: file.originalName, maxSize },
      `Failed to upload ${JSON.stringify(file.originalName)} - the maximum allowed file size is ${maxSize} bytes.`);
  }
  const mimeTypes = strListOpt(field, 'mimeTypes');
  if (mimeTypes.length > 0 && !mimeMatches(file.mimeType, mimeTypes)) {
    return codeError('validation_invalid_mime_type', undefined,
      `${JSON.stringify(file.name)} mime type must be one of: ${mimeTypes.join(', ')}.`);
  }
  return null;
}

function checkThumbs(field: Field) {
  const data: Record<string, FieldError> = {};
  strListOpt(field, 'thumbs').forEach((t, i) => {
    if (zeroThumbs.has(t)) data[String(i)] = codeError('validation_not_in_invalid');
    else if (!thumbRe.test(t)) data[String(i)] = codeError('validation_match_invalid');
  });
  return Object.keys(data).length > 0 ? data : null;
}

function modify(field: Field, current: unknown, modifier: Modifier, raw: unknown): unknown {
  const cur = fileItems(current);
  const operand = fileItems(raw);
  if (modifier === 'append') return shapeList(field, fileItems([...cur, ...operand]));
  if (modifier === 'prepend') return shapeList(field, fileItems([...operand, ...cur]));
  // Removal names files (a string or a list of strings) already on the record.
  const names = new Set(castToUniqueStrings(raw));
  return shapeList(field, cur.filter((item) => !(typeof item === 'string' && names.has(item))));
}

/** The `file` FieldType. */
export const fileField: FieldType = {
  type: 'file',

  withDefaults: (field) =>
    shapeField(field, { maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false }, keys),

  validateOptions(field) {
    const errors = checkOptionKinds(
      field,
      { maxSelect: 'int', maxSize: 'int', mimeTypes: 'stringList', thumbs: 'stringList', protected: 'bool' },
      keys,
    );
    checkRange(errors, field, 'maxSelect', 0, maxSafeJSONInt);
    checkRange(errors, field, 'maxSize', 0, maxSafeJSONInt);
    errors.set('thumbs', checkThumbs(field));
    return errors.result();
  },

  ...stringListShape,
  normalize: (field, raw) => shapeList(field, fileItems(raw)),
  applyModifier: modify,

  /**
   * Checks that plain filenames are ones the record already has (`ctx.old`), the
   * count, then each upload's name, size and detected content type (PocketBase's order).
   */
  validate(field, value, ctx) {
    const items = fileItems(value);
    if (items.length === 0) return field.required === true ? codeError('validation_required') : null;
    const existing = new Set(storedStringList(ctx.old));
    const invalidFiles = items
      .filter((item): item is string => typeof item === 'string' && !existing.has(item))
      .map((name) => (name.length > 250 ? name.slice(0, 250) : name));
    if (invalidFiles.length > 0) return codeError('validation_invalid_file', { invalidFiles });
    const maxSelect = effectiveMaxSelect(field);
    if (items.length > maxSelect) return codeError('validation_too_many_files', { maxSelect });
    for (const item of items) {
      if (typeof item === 'string') continue;
      const error = validateUpload(field, item);
      if (error) return error;
    }
    return null;
  },

  toDb(field, value) {
    const names = fileItems(value).map(fileItemName).filter((n) => n !== '');
    if (isMultiValue(field)) return JSON.stringify(names);
    return names.length > 0 ? names[names.length - 1]! : '';
  },
};

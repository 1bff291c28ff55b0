/**
 * The value rules shared by the list-valued types (select, relation, file):
 * single vs multiple, "single keeps the last item", the `+f`/`f+`/`f-`
 * modifiers, and the JSON-array column of multiple fields.
 */
import type { Field } from '../collections/collection.js';
import type { Modifier } from './field-type.js';
import { castToString, castToUniqueStrings } from './field-cast.js';
import { numOpt } from './field-common.js';
import type { FieldType } from './field-type.js';

/** Whether a select/relation/file field holds a list (`maxSelect > 1`). */
export function isMultiValue(field: Field): boolean {
  return numOpt(field, 'maxSelect') > 1;
}

/** The effective maximum count: `maxSelect`, at least 1. */
export function effectiveMaxSelect(field: Field): number {
  return Math.max(numOpt(field, 'maxSelect'), 1);
}

/** Shapes a list as the field's value: the list itself, or its last item ("" when empty) for single fields. */
export function shapeList<T>(field: Field, items: T[]): T[] | T | '' {
  if (isMultiValue(field)) return items;
  return items.length > 0 ? items[items.length - 1]! : '';
}

/** Any input → the value of a string-list field (select, relation). */
export function normalizeStringList(field: Field, raw: unknown): string[] | string {
  return shapeList(field, castToUniqueStrings(raw));
}

/**
 * Applies `+f` (prepend), `f+` (append) or `f-` (remove) to the current value,
 * then shapes the result; a remove operand may be one string or a list.
 */
export function applyStringListModifier(field: Field, current: unknown, modifier: Modifier, raw: unknown): string[] | string {
  const cur = castToUniqueStrings(current);
  const operand = castToUniqueStrings(raw);
  let next: string[];
  if (modifier === 'append') next = [...cur, ...operand];
  else if (modifier === 'prepend') next = [...operand, ...cur];
  else next = cur.filter((v) => !operand.includes(v));
  return normalizeStringList(field, next);
}

/**
 * A stored list column → string list: JSON text is decoded, already-decoded
 * arrays are taken as they are, a plain non-JSON string is one item, "" is empty.
 */
export function storedStringList(stored: unknown): string[] {
  if (stored === null || stored === undefined || stored === '') return [];
  if (Array.isArray(stored)) return stored.map(castToString).filter((s) => s !== '');
  if (typeof stored === 'string' || Buffer.isBuffer(stored)) {
    const text = castToString(stored);
    // Only a JSON array or string changes the answer; anything else is one plain item. Checked
    // first because a failed JSON.parse (a single relation id, say) throws, a fifth of a list's cost.
    if (!startsJsonListOrString(text)) return [text];
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(castToString).filter((s) => s !== '');
      if (typeof parsed === 'string') return parsed === '' ? [] : [parsed];
    } catch {
      // A plain string (e.g. a single value stored before maxSelect was raised).
    }
    return [text];
  }
  return [castToString(stored)].filter((s) => s !== '');
}

/** Whether text, after JSON whitespace, opens a JSON array or string. */
function startsJsonListOrString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d) continue;
    return ch === 0x5b || ch === 0x22; // [ or "
  }
  return false;
}

/** A stored column of a select/relation/file field → its JSON value. */
export function stringListFromDb(field: Field, stored: unknown): string[] | string {
  return shapeList(field, storedStringList(stored));
}

/** A value of a select/relation/file field → the column value: JSON text for multiple, text for single. */
export function stringListToDb(field: Field, value: unknown): string {
  const items = castToUniqueStrings(value);
  if (isMultiValue(field)) return JSON.stringify(items);
  return items.length > 0 ? items[items.length - 1]! : '';
}

/**
 * The storage members shared by the string-list types (select, relation, file):
 * one value in a TEXT column, several in a JSON-array column (maxSelect > 1).
 */
export const stringListShape: Pick<FieldType, 'columnKind' | 'isMultiple' | 'defaultValue' | 'fromDb'> = {
  columnKind: (field) => (isMultiValue(field) ? 'json' : 'text'),
  isMultiple: isMultiValue,
  defaultValue: (field) => (isMultiValue(field) ? [] : ''),
  fromDb: stringListFromDb,
};

/** The whole storage half of select and relation, whose values are plain strings. */
export const stringListStorage: Pick<FieldType, 'columnKind' | 'isMultiple' | 'defaultValue' | 'normalize' | 'applyModifier' | 'fromDb' | 'toDb'> = {
  ...stringListShape,
  normalize: normalizeStringList,
  applyModifier: applyStringListModifier,
  toDb: stringListToDb,
};


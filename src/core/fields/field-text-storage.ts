/**
 * The storage half of a FieldType whose value is one string in a TEXT column
 * (text, email, url, editor, password, date, autodate): they differ only in how
 * any input becomes that string.
 */
import type { FieldType } from './field-type.js';

/** The FieldType members of a single-string type; `toText` turns any input into its string. */
export function scalarTextStorage(toText: (raw: unknown) => string): Pick<FieldType, 'columnKind' | 'isMultiple' | 'defaultValue' | 'normalize' | 'applyModifier' | 'fromDb' | 'toDb'> {
  return {
    columnKind: () => 'text',
    isMultiple: () => false,
    defaultValue: () => '',
    normalize: (_field, raw) => toText(raw),
    applyModifier: () => undefined,
    fromDb: (_field, stored) => toText(stored),
    toDb: (_field, value) => toText(value),
  };
}

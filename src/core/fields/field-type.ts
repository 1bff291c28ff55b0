/**
 * The contract every field type implements (one file per type in this folder).
 * Records are validated and stored through it; the collection validator checks
 * options through it. Nothing here touches the database: existence of related
 * records, uniqueness and password hashing are the record service's work.
 */
import type { ErrorData, FieldError } from '../../errors/app-error.js';
import type { Collection, Field } from '../collections/collection.js';

/** How a field's value is stored: the dialect maps each kind to a column type. */
export type ColumnKind = 'text' | 'number' | 'bool' | 'json';

/** A modifier key of a record body (docs/api.md §2.5): `+f` prepend, `f+` append/add, `f-` remove/subtract. */
export type Modifier = 'prepend' | 'append' | 'remove';

/** What a field's option validation may look at. */
export interface OptionsContext {
  collection: Collection;
  /** Every collection, this one included as submitted, to check references. */
  collections: readonly Collection[];
  /** The field as stored before this change, when the field already exists. */
  old?: Field;
}

/** What a value's validation may look at. */
export interface ValueContext {
  collection: Collection;
  isNew: boolean;
  /** The stored value before this change (on create: the default). */
  old: unknown;
}

/** A FieldType knows one type's options, defaults, normalisation and validation. */
export interface FieldType {
  readonly type: Field['type'];
  /** Fills every option the type has with its default, keeping given values (never throws). */
  withDefaults(field: Field): Field;
  /** Checks the options of a field definition; returns per-option errors or null. */
  validateOptions(field: Field, ctx: OptionsContext): ErrorData | null;
  /** The storage kind of the column. */
  columnKind(field: Field): ColumnKind;
  /** Whether the value is a JSON array of values (select/relation/file with maxSelect > 1). */
  isMultiple(field: Field): boolean;
  /** The value a new record starts with ("" / 0 / false / [] / null / {lon:0,lat:0}). */
  defaultValue(field: Field): unknown;
  /** Turns any client input into the type's value shape, as docs/api.md §2.5 says ("any → string"…). */
  normalize(field: Field, raw: unknown): unknown;
  /** Applies a modifier to the current value with the raw submitted operand. Types without modifiers return undefined. */
  applyModifier(field: Field, current: unknown, modifier: Modifier, raw: unknown): unknown;
  /** Validates a normalised value; returns the first error or null. */
  validate(field: Field, value: unknown, ctx: ValueContext): FieldError | null;
  /** Turns a stored column value into the JSON value. */
  fromDb(field: Field, stored: unknown): unknown;
  /** Turns a normalised value into what the column stores (JSON text for json kinds, 0/1 for bools). */
  toDb(field: Field, value: unknown): unknown;
  /**
   * Optional (text only): a fresh random value from `autogeneratePattern`, or
   * undefined when the field has none. The record service calls it on create when
   * the value is empty, and for the `name:autogenerate` key (submitted + generated).
   */
  autogenerate?(field: Field): string | undefined;
}

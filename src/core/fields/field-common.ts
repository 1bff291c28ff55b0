/**
 * What all field types share: the common properties of docs/api.md §2.3, the JSON
 * key order PocketBase emits, typed readers of options and their type checks.
 */
import type { Field } from '../collections/collection.js';
import { codeError } from '../../errors/code-error.js';
import { ErrorBag } from '../../errors/error-bag.js';

/** Largest integer a JSON number holds exactly; PocketBase caps integer options with it. */
export const maxSafeJSONInt = Number.MAX_SAFE_INTEGER;

/** The longest `help` text (docs/api.md §2.3). */
export const maxHelpLength = 300;

/** Which of `required` and `help` a type carries (all but autodate and geoPoint's peers do). */
export interface CommonKeys {
  required: boolean;
  help: boolean;
}

/**
 * Builds a field in PocketBase's key order: id, name, type, system, hidden,
 * presentable, the type's options in order, then required and help. Unknown
 * keys are dropped (Go's struct decoding ignores them too).
 */
export function shapeField(field: Field, options: Record<string, unknown>, keys: CommonKeys): Field {
  const out: Field = {
    id: given(field.id, ''),
    name: given(field.name, ''),
    type: field.type,
    system: given(field.system, false),
    hidden: given(field.hidden, false),
    presentable: given(field.presentable, false),
  };
  for (const [key, def] of Object.entries(options)) {
    // A JSON `null` list decodes to an empty Go slice, which PocketBase emits as [].
    out[key] = Array.isArray(def) && field[key] === null ? def : given(field[key], def);
  }
  if (keys.required) out.required = given(field.required, false);
  if (keys.help) out.help = given(field.help, '');
  // Field rules are kept only when given: an absent rule means "the collection's rules alone".
  for (const key of FIELD_RULE_KEYS) if (field[key] !== undefined) out[key] = field[key];
  return out;
}

/** The optional per-field rules (docs/field-rules.md). */
export const FIELD_RULE_KEYS = ['readRule', 'writeRule'] as const;

function given<T>(v: unknown, def: T): T {
  return (v === undefined ? def : v) as T;
}

/** A numeric option, or `def` when missing or not a finite number. */
export function numOpt(field: Field, key: string, def = 0): number {
  const v = field[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : def;
}

/** A nullable numeric option (number min/max): null when missing or not a number. */
export function nullableNumOpt(field: Field, key: string): number | null {
  const v = field[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A string option, or "". */
export function strOpt(field: Field, key: string): string {
  const v = field[key];
  return typeof v === 'string' ? v : '';
}

/** A boolean option; only `true` is true. */
export function boolOpt(field: Field, key: string): boolean {
  return field[key] === true;
}

/** A string-list option; non-string items are left out. */
export function strListOpt(field: Field, key: string): string[] {
  const v = field[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The JSON kinds an option may be declared with. */
export type OptionKind = 'int' | 'number' | 'nullableNumber' | 'string' | 'bool' | 'stringList';

const kindChecks: Record<OptionKind, (v: unknown) => boolean> = {
  int: (v) => typeof v === 'number' && Number.isInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  nullableNumber: (v) => v === null || (typeof v === 'number' && Number.isFinite(v)),
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  stringList: (v) => v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
};

/**
 * Starts an option check: flags options of the wrong JSON kind
 * (`validation_invalid_value`) and a `help` longer than 300 characters.
 */
export function checkOptionKinds(field: Field, kinds: Record<string, OptionKind>, keys: CommonKeys): ErrorBag {
  const errors = new ErrorBag();
  const all: Record<string, OptionKind> = { ...kinds };
  if (keys.required) all.required = 'bool';
  if (keys.help) all.help = 'string';
  for (const [key, kind] of Object.entries(all)) {
    const v = field[key];
    if (v !== undefined && !kindChecks[kind](v)) errors.set(key, codeError('validation_invalid_value'));
  }
  if (keys.help && typeof field.help === 'string' && [...field.help].length > maxHelpLength) {
    errors.set('help', codeError('validation_length_too_long', { min: 0, max: maxHelpLength }));
  }
  return errors;
}

/** Checks an integer option against ozzo's `Min(lo)`/`Max(hi)`; zero is "empty" and skipped, as in ozzo. */
export function checkRange(errors: ErrorBag, field: Field, key: string, lo: number | null, hi: number | null): void {
  if (errors.has(key)) return;
  const v = field[key];
  if (typeof v !== 'number' || v === 0) return;
  if (lo !== null && v < lo) errors.set(key, codeError('validation_min_greater_equal_than_required', { threshold: lo }));
  else if (hi !== null && v > hi) errors.set(key, codeError('validation_max_less_equal_than_required', { threshold: hi }));
}

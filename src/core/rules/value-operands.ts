/**
 * Operands of the filter language that are bound values, not columns: literals and
 * datetime macros as values, and app code's `{:name}` placeholders (docs/hooks.md §4).
 */
import { FilterError } from '../../filter/filter-error.js';
import { formatDateTime } from '../../tools/datetime.js';
import type { CompileState, Resolved } from './compile-context.js';
import { literalOperand } from './field-resolver.js';

/** A value bound as one parameter of the statement. */
export function valueOperand(state: CompileState, value: unknown): Resolved {
  return { build: (map) => state.dialect.param(map ? map(value) : value), values: [value], nullFallback: 'auto', column: false };
}

/**
 * A `{:name}` placeholder as the value app code gave for it, bound like a literal of the
 * same kind: as PocketBase's filter params do, null, true and false act as those
 * literals, numbers and text as number and text literals, a Date as its datetime text
 * and anything else as its JSON text.
 */
export function placeholderOperand(state: CompileState, name: string): Resolved {
  const params = state.options.params;
  if (!params || !Object.hasOwn(params, name)) throw new FilterError(`missing value for placeholder {:${name}}`);
  const value = params[name];
  if (value === null || value === undefined) return literalOperand('NULL');
  if (typeof value === 'boolean') return { ...literalOperand(value ? '1' : '0'), build: () => state.dialect.booleanValue(value) };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FilterError(`placeholder {:${name}} is not a finite number`);
    return valueOperand(state, value);
  }
  if (typeof value === 'bigint') return valueOperand(state, Number(value));
  if (typeof value === 'string') return valueOperand(state, value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new FilterError(`placeholder {:${name}} is an invalid date`);
    return valueOperand(state, formatDateTime(value));
  }
  return valueOperand(state, JSON.stringify(value) ?? '');
}

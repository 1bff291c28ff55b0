/**
 * Reading a field's own rules (docs/field-rules.md). A field rule only narrows what the
 * collection's rules allow: absent or "" adds nothing, null keeps the field to
 * superusers, any other text is a rule in the filter language.
 */
import type { Field, Rule } from './collection.js';

/** The field's `readRule` or `writeRule`; undefined when it adds no condition. */
export function fieldRuleOf(field: Field, key: 'readRule' | 'writeRule'): Rule | undefined {
  const rule = field[key];
  if (rule === undefined || rule === '') return undefined;
  // SECURITY: fail closed; anything but text (stored before validation existed) locks the field.
  return typeof rule === 'string' ? rule : null;
}

/**
 * Whether some answers leave the field's key out: a hidden field reaches superusers only
 * (docs/api.md §2.3), one with a readRule only those it holds for (docs/field-rules.md §2).
 */
export function mayBeLeftOut(field: Field): boolean {
  return field.hidden === true || fieldRuleOf(field, 'readRule') !== undefined;
}

// Built once per schema version (a change replaces the fields array).
const readGuarded = new WeakMap<readonly Field[], Field[]>();

/** The fields of a list whose readRule adds a condition. */
export function readGuardedFields(fields: readonly Field[]): Field[] {
  let list = readGuarded.get(fields);
  if (!list) {
    list = fields.filter((f) => fieldRuleOf(f, 'readRule') !== undefined);
    readGuarded.set(fields, list);
  }
  return list;
}

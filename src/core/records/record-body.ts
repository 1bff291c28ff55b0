/**
 * Resolves a submitted record body into field values (docs/api.md §2.5 "Modifier
 * semantics"): plain keys set, `f+`/`+f`/`f-` modify the current value, shorter
 * keys first; unknown keys are stored nowhere, and hidden fields dropped for non-superusers.
 */
import type { Collection, Field } from '../collections/collection.js';
import type { Modifier } from '../fields/field-type.js';
import { getFieldType } from '../fields/field-registry.js';
import type { RecordValues } from './record-store.js';

/** A resolved body: the new values, which fields the body touched, and the auth-only extra keys. */
export interface ResolvedBody {
  values: RecordValues;
  touched: Set<string>;
  /** `passwordConfirm` and `oldPassword`, which are not stored. */
  extras: { passwordConfirm?: unknown; oldPassword?: unknown };
  /**
   * The body as rules see it (`@request.body`): fields under their plain names with their
   * normalised values, and keys that name no field as sent (docs/api.md §4.2).
   */
  ruleBody: Record<string, unknown>;
}

/** How a body key addresses a field. */
interface KeyTarget {
  field: Field;
  modifier?: Modifier;
  autogenerate?: boolean;
}

/** Resolves `body` against `current` (the stored record, or the defaults on create). */
export function resolveBody(c: Collection, body: Record<string, unknown>, current: RecordValues, stripHidden: boolean): ResolvedBody {
  const values: RecordValues = { ...current };
  const touched = new Set<string>();
  const extras: ResolvedBody['extras'] = {};
  const ruleBody: Record<string, unknown> = {};
  const keys = Object.keys(body).sort((a, b) => a.length - b.length);
  for (const key of keys) {
    if (c.type === 'auth' && (key === 'passwordConfirm' || key === 'oldPassword')) {
      extras[key] = body[key];
      continue;
    }
    const target = keyTarget(c, key);
    if (!target) {
      // A key that names no field: stored nowhere, but a rule may read it, as PocketBase's do.
      ruleBody[key] = body[key];
      continue;
    }
    const { field } = target;
    // SECURITY: hidden fields are not writable by non-superusers (docs/api.md §2.3), but an
    // auth record's own password is how it gets set.
    if (stripHidden && field.hidden && !(c.type === 'auth' && field.type === 'password')) continue;
    if (field.type === 'autodate') continue;
    const type = getFieldType(field.type)!;
    const raw = body[key];
    if (target.autogenerate) {
      const generated = type.autogenerate?.(field) ?? '';
      values[field.name] = type.normalize(field, String(raw ?? '') + generated);
    } else if (target.modifier) {
      const next = type.applyModifier(field, values[field.name], target.modifier, raw);
      if (next === undefined) continue;
      values[field.name] = next;
    } else {
      values[field.name] = field.type === 'password' ? plainPassword(raw) : type.normalize(field, raw);
    }
    touched.add(field.name);
  }
  for (const name of touched) {
    if (c.fields.find((f) => f.name === name)?.type !== 'password') ruleBody[name] = values[name];
  }
  for (const [k, v] of Object.entries(extras)) ruleBody[k] = v;
  return { values, touched, extras, ruleBody };
}

/** A submitted password as text (multipart inference may have made `"12345678"` a number). */
export function plainPassword(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  return raw === null || raw === undefined || typeof raw === 'object' ? '' : String(raw);
}

/** The field and modifier a body key addresses, or undefined for an unknown key. */
function keyTarget(c: Collection, key: string): KeyTarget | undefined {
  const exact = c.fields.find((f) => f.name === key);
  if (exact) return { field: exact };
  if (key.endsWith(':autogenerate')) {
    const field = c.fields.find((f) => f.name === key.slice(0, -':autogenerate'.length));
    return field && field.type === 'text' ? { field, autogenerate: true } : undefined;
  }
  if (key.startsWith('+')) {
    const field = c.fields.find((f) => f.name === key.slice(1));
    return field ? { field, modifier: 'prepend' } : undefined;
  }
  if (key.endsWith('+') || key.endsWith('-')) {
    const field = c.fields.find((f) => f.name === key.slice(0, -1));
    return field ? { field, modifier: key.endsWith('+') ? 'append' : 'remove' } : undefined;
  }
  return undefined;
}

/**
 * The static `@request.*` values (docs/api.md §4.2): what a path like
 * `@request.query.page` or `@request.body.obj.a.0` finds in the RequestInfo,
 * and how a found value is bound.
 */
import type { Collection } from '../collections/collection.js';
import type { RequestInfo } from './request-info.js';
import { isPlainObject } from '../../tools/is-plain-object.js';

/** The result of looking up a request path: found (with its value) or missing. */
export type Lookup = { found: true; value: unknown } | { found: false };

/** The fields of `@request.auth` that come from the auth record itself, never a join. */
export const PLAIN_AUTH_FIELDS: ReadonlySet<string> = new Set(['id', 'collectionId', 'collectionName', 'email', 'emailVisibility', 'verified']);

/** Looks up `keys` (e.g. `['body', 'obj', 'a', '0']`) in the request, as PocketBase's extractNestedVal. */
export function lookupRequest(req: RequestInfo, keys: readonly string[]): Lookup {
  const root: Record<string, unknown> = {
    context: req.context,
    method: req.method,
    query: req.query,
    headers: req.headers,
    body: req.body,
    auth: req.auth ? { ...req.auth.record, collectionId: req.auth.collection.id, collectionName: req.auth.collection.name } : null,
  };
  let cur: unknown = root;
  for (const key of keys) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(key) || Number(key) >= cur.length) return { found: false };
      cur = cur[Number(key)];
    } else if (isPlainObject(cur)) {
      if (!Object.hasOwn(cur, key)) return { found: false };
      cur = cur[key];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/**
 * Turns a request value into what is bound: strings stay strings (numeric ones
 * become numbers when the collection has a number field of that name), numbers
 * and booleans stay, anything else is JSON text. Undefined means SQL NULL.
 */
export function bindableRequestValue(value: unknown, collection: Collection, lastKey: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const field = collection.fields.find((f) => f.name === lastKey);
    if (field?.type === 'number' && NUMERIC.test(value)) return Number(value);
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString().replace('T', ' ');
  return JSON.stringify(value);
}

/** A value as a list (PocketBase's toSlice): null → [], an array → its items, else one item. */
export function toList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Distinct non-empty strings of a submitted relation value (PocketBase's ToUniqueStringSlice). */
export function toIdList(value: unknown): string[] {
  let items: unknown[] = [];
  if (typeof value === 'string') {
    if (value === '') return [];
    items = [value];
    if (value.includes('[')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (Array.isArray(parsed)) items = parsed;
      } catch {
        // not JSON: the string itself is the one id
      }
    }
  } else if (Array.isArray(value)) {
    items = value;
  } else if (value !== null && value !== undefined) {
    items = [value];
  }
  const out = new Set<string>();
  for (const item of items) {
    if (item === null || item === undefined || typeof item === 'object') continue;
    const s = String(item);
    if (s !== '') out.add(s);
  }
  return [...out];
}

/** A value as text for `LOWER(…)` (Go's cast.ToString: null and objects → ""). */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;


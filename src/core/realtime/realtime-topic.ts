/**
 * Parses realtime subscription strings (docs/api.md §6.3): `posts`, `posts/*`,
 * `posts/RECORD_ID`, `@oauth2`, each optionally with `?options=<urlencoded JSON>`.
 */

/** The `options` of a subscription: query values and snake-cased headers (docs/api.md §6.3). */
export interface TopicOptions {
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** One parsed subscription. */
export interface Topic {
  /** The subscription exactly as submitted; it is also the SSE event name. */
  raw: string;
  /** The collection id or name, or '' when the topic names no collection (e.g. `@oauth2`). */
  collection: string;
  /** The record id of a record topic, or null for a collection topic. */
  recordId: string | null;
  options: TopicOptions;
  /** A string identifying the options, for grouping subscribers that see an event alike. */
  optionsKey: string;
}

const NO_OPTIONS: TopicOptions = Object.freeze({ query: Object.freeze({}), headers: Object.freeze({}) }) as TopicOptions;

/** Parses one subscription; malformed options count as none (PocketBase ignores them too). */
export function parseTopic(raw: string): Topic {
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const options = q === -1 ? NO_OPTIONS : parseOptions(raw.slice(q + 1));
  const optionsKey = options === NO_OPTIONS ? '' : JSON.stringify(options);
  if (path.startsWith('@')) return { raw, collection: '', recordId: null, options, optionsKey };
  const slash = path.indexOf('/');
  const collection = slash === -1 ? path : path.slice(0, slash);
  const rest = slash === -1 ? '*' : path.slice(slash + 1);
  return { raw, collection, recordId: rest === '*' ? null : rest, options, optionsKey };
}

/** Reads `options=<urlencoded JSON {query, headers}>` from a topic's query string. */
function parseOptions(queryString: string): TopicOptions {
  const encoded = new URLSearchParams(queryString).get('options');
  if (!encoded) return NO_OPTIONS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(encoded);
  } catch {
    return NO_OPTIONS;
  }
  if (!isObject(parsed)) return NO_OPTIONS;
  const query = stringValues(parsed.query, (k) => k);
  // docs/api.md §4.2: header names are lower-cased and snake-cased for `@request.headers.*`.
  const headers = stringValues(parsed.headers, (k) => k.toLowerCase().replace(/-/g, '_'));
  if (Object.keys(query).length === 0 && Object.keys(headers).length === 0) return NO_OPTIONS;
  return { query, headers };
}

/** The first value of each key as a string (arrays give their first item); objects are dropped. */
function stringValues(value: unknown, key: (k: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[key(k)] = first;
    else if (typeof first === 'number' || typeof first === 'boolean') out[key(k)] = String(first);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

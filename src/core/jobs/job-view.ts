/**
 * The public view of a `_jobs` row (docs/jobs.md §4): JSON columns parsed,
 * times in the API's datetime format, absent keys as ''.
 */
import { formatDateTime } from '../../tools/datetime.js';
import type { JobRow } from './job-store.js';
import type { JobView } from './job-types.js';

/** The view of a stored job. */
export function jobView(row: JobRow): JobView {
  return {
    id: row.id,
    name: row.name,
    payload: parseJson(row.payload),
    status: row.status,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.maxAttempts),
    runAt: formatDateTime(new Date(Number(row.runAt))),
    lastError: row.lastError ?? '',
    result: row.result === null ? null : parseJson(row.result),
    key: row.key ?? '',
    tag: row.tag ?? '',
    created: row.created,
    updated: row.updated,
  };
}

/** JSON text as a value; text that is not JSON (never written by Plinth) as itself. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A value as stored JSON text: `undefined` as null, and anything JSON cannot hold as a clear TypeError. */
export function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (err) {
    throw new TypeError(`${what} must be JSON-serializable: ${err instanceof Error ? err.message : String(err)}`);
  }
  // NOTE: a function or a symbol alone stringifies to undefined.
  if (text === undefined) throw new TypeError(`${what} must be JSON-serializable`);
  return text;
}

/**
 * The errors of a refused `PATCH /api/settings`: its `data` is nested by setting
 * (`{ smtp: { host: { code, message } } }`, docs/api.md §9); this flattens it to dotted paths
 * (`smtp.host`), so each control shows its own and the form lists every one, known to a
 * control or not (a setting refused as unsupported is then named, never swallowed).
 */
import { ClientResponseError } from 'pocketbase';
import { formErrors } from '../../field-errors.js';

/** A save's errors: the server's message and one text per dotted setting path. */
export interface SettingsErrors {
  form?: string;
  fields: Record<string, string>;
}

/** How deep an error object is followed: the settings nest three levels (`backups.s3.bucket`, `rateLimits.rules.0.label`). */
const MAX_DEPTH = 5;

export function settingsErrors(err: unknown): SettingsErrors {
  const base = formErrors(err);
  if (!(err instanceof ClientResponseError)) return base;
  const fields: Record<string, string> = {};
  collect(err.response?.data, '', fields, 0);
  return { form: base.form, fields };
}

function collect(value: unknown, path: string, out: Record<string, string>, depth: number): void {
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return;
  const message = (value as { message?: unknown }).message;
  if (typeof message === 'string' && path) {
    out[path] = message;
    return;
  }
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) collect(inner, path ? `${path}.${key}` : key, out, depth + 1);
}

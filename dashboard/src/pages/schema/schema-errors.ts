/**
 * A failed collection save → one message per property path (`fields.1.name`, `oauth2.providers.0.clientId`),
 * so each error lands on the control it names (docs/api.md §1.3: errors nest like the body).
 */
import { ClientResponseError } from 'pocketbase';
import { formErrors } from '../../field-errors.js';

/** The form's message and the per-path messages of a failed save. */
export interface SchemaErrors {
  form?: string;
  paths: Record<string, string>;
}

/** The errors of `err` (any thrown value), flattened to dotted paths. */
export function schemaErrors(err: unknown): SchemaErrors {
  const { form } = formErrors(err);
  const paths: Record<string, string> = {};
  if (err instanceof ClientResponseError) flatten(err.response?.data, '', paths, 0);
  return { form, paths };
}

/** The messages under `prefix` (`fields.2.`), keyed by the rest of their path. */
export function errorsUnder(paths: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(paths)) {
    if (path.startsWith(prefix)) out[path.slice(prefix.length)] = message;
  }
  return out;
}

/** Whether any message sits under one of `prefixes` (a tab marks itself when it holds an error). */
export function hasErrorsUnder(paths: Record<string, string>, prefixes: readonly string[]): boolean {
  return Object.keys(paths).some((path) => prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}.`)));
}

/** `paths` without the messages of `key` and below it. */
export function withoutErrorsUnder(paths: Record<string, string>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(paths).filter(([path]) => path !== key && !path.startsWith(`${key}.`)));
}

function flatten(value: unknown, path: string, out: Record<string, string>, depth: number): void {
  // NOTE: the error body comes from the server; the depth cap keeps a hostile one from recursing forever.
  if (!value || typeof value !== 'object' || depth > 8) return;
  const message = (value as { message?: unknown }).message;
  const code = (value as { code?: unknown }).code;
  if (typeof message === 'string' && typeof code === 'string' && path) {
    out[path] = message;
    return;
  }
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    flatten(inner, path ? `${path}.${key}` : key, out, depth + 1);
  }
}

/**
 * The one builder of field errors: a registry code, its default message with the
 * `{name}` placeholders filled from `params`, and the params themselves (sent to the
 * client as PocketBase sends ozzo-validation's).
 */
import type { FieldError } from './app-error.js';
import { errorCodes, type ErrorCode } from './error-codes.js';

/** The `{name}` placeholders of a message template, as a union of names. */
type Placeholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/**
 * The arguments after the code: a code whose default message has placeholders needs
 * params naming each of them; `message` replaces the default where PocketBase words a
 * code differently in one place.
 */
export type CodeErrorArgs<C extends ErrorCode> = [Placeholders<(typeof errorCodes)[C]>] extends [never]
  ? [params?: Record<string, unknown>, message?: string]
  : [params: Record<Placeholders<(typeof errorCodes)[C]>, unknown> & Record<string, unknown>, message?: string];

/** A FieldError for a registry code, its message filled from the params. */
export function codeError<C extends ErrorCode>(code: C, ...[params, message]: CodeErrorArgs<C>): FieldError {
  const text = fillTemplate(message ?? errorCodes[code], params);
  return params ? { code, message: text, params } : { code, message: text };
}

/** Fills `{name}` placeholders; a list renders as Go's `fmt` prints one (`[a b]`). */
export function fillTemplate(template: string, params?: Record<string, unknown>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (!Object.hasOwn(params, key)) return whole;
    const v = params[key];
    return Array.isArray(v) ? `[${v.map(String).join(' ')}]` : String(v);
  });
}

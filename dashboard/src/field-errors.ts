/**
 * Turns an SDK error into what a form shows: the message, and one error text per field
 * from the PocketBase error shape's `data` (`{ email: { code, message } }`).
 */
import { ClientResponseError } from 'pocketbase';

/** A form's errors: `form` for the whole form, `fields` by field name. */
export interface FormErrors {
  form?: string;
  fields: Record<string, string>;
}

/** The errors of a failed request (any thrown value). */
export function formErrors(err: unknown): FormErrors {
  if (!(err instanceof ClientResponseError)) return { form: err instanceof Error ? err.message : String(err), fields: {} };
  if (err.isAbort) return { fields: {} };
  const fields: Record<string, string> = {};
  const data: unknown = err.response?.data;
  if (data && typeof data === 'object') {
    for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
      const message = (value as { message?: unknown } | null)?.message;
      if (typeof message === 'string') fields[name] = message;
    }
  }
  const message = typeof err.response?.message === 'string' && err.response.message ? err.response.message : err.message;
  return { form: err.status === 0 ? 'The server cannot be reached.' : message, fields };
}

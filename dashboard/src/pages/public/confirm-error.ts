/** The message of a failed confirmation: an invalid or expired token says so plainly. */
import { ClientResponseError } from 'pocketbase';
import { formErrors } from '../../field-errors.js';

/** The form's message and per-field errors; a refused token reads as an expired or invalid link. */
export function confirmErrors(err: unknown): { form?: string; fields: Record<string, string> } {
  const found = formErrors(err);
  if (err instanceof ClientResponseError && (err.status === 400 || err.status === 404) && found.fields.token) {
    return { form: 'This link is invalid or has expired. Request a new mail from the app and use its link.', fields: {} };
  }
  return found;
}

/**
 * Form checks shared by the auth flow endpoints (docs/api.md §5): every field error is
 * collected, then one `400 "An error occurred while validating the submitted
 * data."` carries them all in `data`.
 */
import { AppError, type ErrorData } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { isEmail } from '../fields/field-email.js';

/** The 400 of a form whose fields failed validation. */
export function assertValidForm(errors: ErrorData): void {
  if (Object.keys(errors).length > 0) throw new AppError(400, 'An error occurred while validating the submitted data.', errors);
}

/** Reads a string field: absent and null are blank, other scalars are stringified. */
export function formString(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A required string of `min`–`max` characters; records the error and returns the value. */
export function requiredString(body: Record<string, unknown>, key: string, errors: ErrorData, min = 1, max = 255): string {
  const text = formString(body[key]);
  if (text === '') errors[key] = codeError('validation_required');
  else if (text.length < min || text.length > max) {
    errors[key] = codeError('validation_length_out_of_range', { min, max });
  }
  return text;
}

/** A required email address (at most 255 characters). */
export function requiredEmail(body: Record<string, unknown>, key: string, errors: ErrorData): string {
  const text = requiredString(body, key, errors);
  if (!errors[key] && !isEmail(text)) errors[key] = codeError('validation_is_email');
  return text;
}

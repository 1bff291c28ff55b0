/**
 * Builders for the validation errors field types emit, with messages taken
 * from the code registry and `{param}` placeholders filled in (spec §1.3).
 */
import { fieldError, type ErrorData, type FieldError } from '../../errors/app-error.js';
import { errorCodes, type ErrorCode } from '../../errors/error-codes.js';

/** A FieldError with the registry message of `code`, its placeholders filled from `params`. */
export function codedError(code: ErrorCode, params?: Record<string, unknown>, template?: string): FieldError {
  const message = fillTemplate(template ?? errorCodes[code], params);
  return fieldError(code, message, params);
}

/** Fills `{name}` placeholders; lists render as Go's `fmt` does (`[a b]`). */
export function fillTemplate(template: string, params?: Record<string, unknown>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (!(key in params)) return whole;
    const v = params[key];
    return Array.isArray(v) ? `[${v.map(String).join(' ')}]` : String(v);
  });
}

/** `validation_required` ("Cannot be blank."). */
export function requiredError(): FieldError {
  return codedError('validation_required');
}

/** ozzo's `Min(threshold)`: "Must be no less than {threshold}.". */
export function minThresholdError(threshold: unknown): FieldError {
  return codedError('validation_min_greater_equal_than_required', { threshold });
}

/** ozzo's `Max(threshold)`: "Must be no greater than {threshold}.". */
export function maxThresholdError(threshold: unknown): FieldError {
  return codedError('validation_max_less_equal_than_required', { threshold });
}

/** Collects per-option errors; `result()` gives null when there are none. */
export class OptionErrors {
  private readonly data: ErrorData = {};

  /** Records an error for an option unless one is recorded already (first error wins). */
  set(option: string, error: FieldError | ErrorData | null | undefined): void {
    if (error && !(option in this.data)) this.data[option] = error;
  }

  /** Whether an option already has an error. */
  has(option: string): boolean {
    return option in this.data;
  }

  /** The collected errors, or null. */
  result(): ErrorData | null {
    return Object.keys(this.data).length > 0 ? this.data : null;
  }
}

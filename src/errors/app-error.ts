/**
 * One error type for everything a client can be told. `core/` throws it, the HTTP
 * error handler renders it in the shape of docs/api.md §1.3. `cause` stays private.
 */

/** A validation error of one field: a stable code, a sentence, optional parameters. */
export interface FieldError {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

/** Per-field errors; nested structures nest the map (docs/api.md §1.3). */
export type ErrorData = { [key: string]: FieldError | ErrorData };

/** An AppError is an error a client may see: status, a safe message and per-field data. */
export class AppError extends Error {
  readonly status: number;
  readonly data: ErrorData;

  constructor(status: number, message: string, data: ErrorData = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AppError';
    this.status = status;
    this.data = data;
  }

  /** The JSON body of docs/api.md §1.3. */
  toJSON(): { status: number; message: string; data: ErrorData } {
    return { status: this.status, message: this.message, data: this.data };
  }
}

/** Tests whether a value is an AppError. */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** 400 with the default or a given message and per-field data. */
export function badRequest(message = 'Something went wrong while processing your request.', data: ErrorData = {}, cause?: unknown): AppError {
  return new AppError(400, message, data, cause);
}

/** 403 with the default message. */
export function forbidden(message = 'You are not allowed to perform this request.'): AppError {
  return new AppError(403, message);
}

/** 404 with the default message. */
export function notFound(message = "The requested resource wasn't found."): AppError {
  return new AppError(404, message);
}

/** 413 for a body over its limit. */
export function tooLarge(): AppError {
  return new AppError(413, 'Request entity too large.');
}

/** 500; the message is generic, the cause is logged and never sent. */
export function internal(cause?: unknown): AppError {
  return new AppError(500, 'Something went wrong while processing your request.', {}, cause);
}

/** A 429 that tells the client how many seconds to wait (rendered with `Retry-After`). */
export class TooManyRequestsError extends AppError {
  /** Whole seconds until the client may try again (at least 1). */
  readonly retryAfter: number;

  constructor(retryAfterSeconds: number) {
    super(429, 'Too Many Requests.');
    this.retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** 429 `Too Many Requests.` with a `Retry-After` of the given seconds (docs/api.md §1.3, §1.9). */
export function tooManyRequests(retryAfterSeconds: number): TooManyRequestsError {
  return new TooManyRequestsError(retryAfterSeconds);
}

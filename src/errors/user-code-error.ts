/**
 * A UserCodeError is what app code (a hook handler, a custom route or middleware)
 * threw when it was not an AppError: a bug or an unexpected failure of the
 * application's own code. It answers 400 with the generic message (docs/hooks.md §2)
 * and keeps the thrown value as its private cause, logged with its stack. Plinth's
 * own unexpected errors are never wrapped and stay 500s.
 */
import { AppError, isAppError } from './app-error.js';

/** An error thrown by app code that is not an AppError, rendered as the generic 400. */
export class UserCodeError extends AppError {
  constructor(cause: unknown) {
    super(400, 'Something went wrong while processing your request.', {}, cause);
    this.name = 'UserCodeError';
  }
}

/** What app code threw, as the error to propagate: AppErrors as they are, anything else wrapped. */
export function asUserCodeError(thrown: unknown): unknown {
  return isAppError(thrown) ? thrown : new UserCodeError(thrown);
}

import { AppError, type ErrorData } from '../errors/app-error.js';

/** The message a client sees for any rejected filter or sort, as PocketBase answers it (docs/api.md §1.3). */
export const FILTER_ERROR_MESSAGE = 'Something went wrong while processing your request.';

/**
 * A FilterError is a 400 for a filter or sort the parser rejects. The client gets the
 * generic message; `reason` says precisely what was wrong (e.g. "unexpected token ')' at 12")
 * for logs and for rule validation messages.
 */
export class FilterError extends AppError {
  /** What was wrong, with the 0-based character offset where it was found. */
  readonly reason: string;
  /** The 0-based character offset of the problem, when there is one. */
  readonly position: number | undefined;

  /** `data` names the parameter at fault where a client is told (docs/search.md §5); PocketBase's own errors keep `{}`. */
  constructor(reason: string, position?: number, data?: ErrorData) {
    super(400, FILTER_ERROR_MESSAGE, data);
    this.name = 'FilterError';
    this.reason = position === undefined ? reason : `${reason} at ${position}`;
    this.position = position;
  }
}

/** Tests whether a value is a FilterError. */
export function isFilterError(err: unknown): err is FilterError {
  return err instanceof FilterError;
}

/**
 * The 400 of a database statement stopped by the query time budget (`--queryTimeout`):
 * the client asked for more work than one request may take, so it is the client's to
 * narrow, and nothing about the query or the data reaches it.
 */
import { AppError } from './app-error.js';

/** The message every query timeout answers with. */
export const QUERY_TIMEOUT_MESSAGE = 'The query took too long; narrow the filter or sort.';

/** A 400 for a statement that ran past the query time budget; the engine's error stays private. */
export function queryTimeout(cause?: unknown): AppError {
  return new AppError(400, QUERY_TIMEOUT_MESSAGE, {}, cause);
}


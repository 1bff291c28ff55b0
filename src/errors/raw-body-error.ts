/**
 * An error answered with a body of its own instead of `{status, message, data}`:
 * the one exception of docs/api.md §1.3 is the MFA challenge, `401 {"mfaId":"…"}` (§5.4).
 */
import { AppError } from './app-error.js';

/** A RawBodyError carries the exact JSON body the client receives. */
export class RawBodyError extends AppError {
  readonly body: Record<string, unknown>;

  constructor(status: number, message: string, body: Record<string, unknown>) {
    super(status, message);
    this.name = 'RawBodyError';
    this.body = body;
  }
}

/** Tests whether a value is a RawBodyError. */
export function isRawBodyError(err: unknown): err is RawBodyError {
  return err instanceof RawBodyError;
}

/**
 * The error of a migration that cannot load, apply or revert: it names the file,
 * so `plinth serve` and `plinth migrate` can stop with a sentence a user acts on.
 */
import { basename } from 'node:path';
import { isAppError } from '../errors/app-error.js';
import type { CodeLocation } from './code-location.js';

/** A MigrationError is a failed migration file; its message names the file and the reason. */
export class MigrationError extends Error {
  constructor(
    /** The file's name in the migrations folder. */
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }

  /**
   * The error of `file` failing to `what` ("apply", "revert", "load") because of `cause`,
   * thrown at `at` in the user's code when known.
   */
  static of(file: string, what: string, cause: unknown, at?: CodeLocation): MigrationError {
    const line = at ? `:${at.line}:${at.column}` : '';
    const where = !at ? file : basename(at.file) === file ? `${file}${line}` : `${file} (${at.file}${line})`;
    return new MigrationError(file, `failed to ${what} migration ${where}: ${describeCause(cause)}`, { cause });
  }
}

/** Tests whether a value is a MigrationError. */
export function isMigrationError(err: unknown): err is MigrationError {
  return err instanceof MigrationError;
}

/**
 * One line for what went wrong: the message and, for a validation error, each
 * field's reason (`Failed to create collection. (name: The name is taken.)`).
 */
function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (!isAppError(err)) return err.message;
  const fields = Object.entries(err.data).map(([field, e]) => `${field}: ${fieldMessage(e)}`);
  return fields.length > 0 ? `${err.message} (${fields.join('; ')})` : err.message;
}

function fieldMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    const { message, params } = e as { message: string; params?: { errors?: unknown } };
    // An import's failure holds one error per collection of the payload.
    if (params?.errors && typeof params.errors === 'object') return `${message} ${JSON.stringify(params.errors)}`;
    return message;
  }
  return JSON.stringify(e);
}

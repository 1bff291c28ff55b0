/**
 * The error of a superuser's SQL statement that the database refused or failed
 * (docs/operations.md "SQL console"); the console answers it as a 400 quoting `message`.
 */

/** A statement the database refused or failed; `message` is the engine's own. */
export class SqlRunError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SqlRunError';
  }
}

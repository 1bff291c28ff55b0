/**
 * The SQL console (docs/operations.md "SQL console"): checks a superuser's query the way
 * PocketBase's `POST /api/sql` form does, lets exactly one statement through, runs it
 * through the dialect's SqlConsole, and reloads the cached schema and settings after
 * anything that may have written.
 *
 * SECURITY: the query text is the superuser's own SQL, run as written: this is the one
 * place in Plinth where request text becomes SQL, on purpose (PocketBase's console does
 * the same). What is enforced is its shape, not its meaning: superusers only (the route),
 * one statement under every SQL grammar (so nothing rides along after a `;` that one
 * engine reads as a literal), no transaction control (the console owns the transaction),
 * a row limit and the query time budget.
 */
import { AppError, badRequest } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { codePointLength } from '../../tools/code-points.js';
import { singleStatement, SqlTokenError, tokenizeSql } from '../../tools/sql-tokens.js';
import { SqlRunError } from '../../errors/sql-run-error.js';
import type { SqlConsole, SqlResult } from './sql-console.js';

/** Longest query text, in characters (PocketBase's limit). */
export const MAX_SQL_QUERY_LENGTH = 5000;

/** Rows a console answer holds at most (PocketBase's limit); the rest are left unread. */
export const MAX_SQL_ROWS = 1000;

/** Statements that begin or end a transaction: the console wraps each statement in its own. */
const TRANSACTION_WORDS = new Set(['BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE', 'PREPARE']);

/** What the console needs besides the database. */
export interface SqlConsoleDeps {
  console: SqlConsole;
  /**
   * Reloads what the node caches from the database (collections, settings) and tells the
   * other nodes to: run after every statement that may have written, so a row changed in
   * `_collections` or `_params`, or a table altered by hand, is what the node then sees.
   */
  reloadCaches(): Promise<void>;
}

/** SqlConsoleService runs `POST /api/sql`. */
export class SqlConsoleService {
  constructor(private readonly deps: SqlConsoleDeps) {}

  /** Checks and runs one query; every refusal and database error is a 400. */
  async run(input: unknown): Promise<SqlResult> {
    const query = checkQuery(input);
    let run;
    try {
      run = await this.deps.console.run(query, { maxRows: MAX_SQL_ROWS });
    } catch (err) {
      if (err instanceof SqlRunError) throw badRequest(`Failed to execute query. Raw error:\n${err.message}`, {}, err);
      throw err;
    }
    if (!run.readOnly) await this.deps.reloadCaches();
    return run.result;
  }
}

/** The query of a body, checked: present, not too long, one statement, no transaction control. */
function checkQuery(input: unknown): string {
  const text = typeof input === 'string' ? input : input === undefined || input === null ? '' : undefined;
  if (text === undefined) throw invalidQuery(codeError('validation_invalid_value'));
  if (text.trim() === '') throw invalidQuery(codeError('validation_required'));
  if (codePointLength(text) > MAX_SQL_QUERY_LENGTH) throw invalidQuery(codeError('validation_length_out_of_range', { min: 0, max: MAX_SQL_QUERY_LENGTH }));
  let statement: string;
  try {
    statement = singleStatement(text.trim());
  } catch (err) {
    if (!(err instanceof SqlTokenError)) throw err;
    throw invalidQuery(codeError('validation_sql_single_statement'));
  }
  const first = tokenizeSql(statement, 'sqlite').tokens[0];
  if (first === undefined) throw invalidQuery(codeError('validation_required'));
  if (first.kind === 'word' && TRANSACTION_WORDS.has(first.value.toUpperCase())) throw invalidQuery(codeError('validation_sql_transaction_control'));
  return statement;
}

function invalidQuery(error: ReturnType<typeof codeError>): AppError {
  return badRequest('An error occurred while validating the submitted data.', { query: error });
}

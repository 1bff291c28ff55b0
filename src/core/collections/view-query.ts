/**
 * Checks a view query before it is run as DDL (spec §2.1): one SELECT statement.
 */
import { singleStatement, SqlTokenError } from './sql-tokens.js';

/** Why a view query cannot be saved, as a one-sentence message, or null when it can. */
export function viewQueryProblem(query: string): string | null {
  try {
    singleStatement(query);
  } catch (err) {
    if (err instanceof SqlTokenError) return `The view query must be one SELECT statement (${err.message}).`;
    throw err;
  }
  return null;
}

/**
 * The SQL console's port (docs/operations.md "SQL console"): runs one statement a
 * superuser wrote, in a transaction, and answers PocketBase's `POST /api/sql` shape.
 * Each dialect implements it in db/ over its raw driver, which alone knows a result's
 * column names and types, and how to stop reading after the row limit.
 */

/** One column of a console result, as PocketBase describes it. */
export interface SqlColumn {
  name: string;
  /** The declared type (SQLite) or type name (PostgreSQL), upper-case; '' for an expression. */
  type: string;
  /** Always true: neither driver tells a NOT NULL column from an expression (PocketBase answers the same). */
  nullable: boolean;
}

/** The answer of one console statement. */
export interface SqlResult {
  /** Milliseconds the statement took. */
  execTime: number;
  /** Rows inserted, updated or deleted (0 for a read or DDL). */
  affectedRows: number;
  columns: SqlColumn[];
  /** At most the row limit; every value as the engine's text (PocketBase's shape), NULL as null. */
  rows: Array<Array<string | null>>;
  /** Plinth: true when the statement returned more rows than the limit and the rest were left unread. */
  truncated: boolean;
}

/** What a SqlConsole reports beyond the result. */
export interface SqlRun {
  result: SqlResult;
  /** Whether the engine knows the statement changed nothing (a plain read); false means reload what is cached. */
  readOnly: boolean;
}

/** Limits of one console statement. */
export interface SqlLimits {
  /** Rows returned at most; the rest are never read. */
  maxRows: number;
}

/** A SqlConsole runs one already-checked statement of a superuser's SQL. */
export interface SqlConsole {
  /**
   * Runs `query` (one statement, no trailing `;`) in its own transaction: committed when
   * it succeeds, rolled back when it fails. A database error is thrown as a SqlRunError (errors/sql-run-error.ts)
   * carrying the engine's message; the query time budget's as its usual 400 AppError.
   */
  run(query: string, limits: SqlLimits): Promise<SqlRun>;
}

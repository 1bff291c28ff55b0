/**
 * The Dialect is the one seam between SQLite and PostgreSQL (docs/architecture.md §3). Every SQL
 * difference is one method here; code outside db/dialect/ never asks which
 * dialect runs. Core code imports this file's types only.
 */
import type { RawBuilder } from 'kysely';
import type { AppError } from '../../errors/app-error.js';
import type { ColumnKind } from '../../core/fields/field-type.js';
import type { Executor } from '../database.js';
import type { ParsedIndex } from '../../tools/index-parse.js';
import type { FullText } from './full-text.js';

/**
 * What a compared value is, the way SQLite's affinity rules see it: a number, bool
 * or text column; `json` for json_extract/json_each values (typed per value, no
 * affinity); `textExpr`/`numberExpr` for function results (lower, strftime,
 * :length, geoDistance), which have no affinity either. No kind: a text column or a constant.
 */
export type ValueKind = 'text' | 'number' | 'bool' | 'json' | 'textExpr' | 'numberExpr';

/** The column definition a field needs. */
export interface ColumnSpec {
  kind: ColumnKind;
  /** True for the primary key column (`id`). */
  primaryKey?: boolean;
  /** The stored default of new rows, as a JS value ('' / 0 / false / '[]' / null). */
  defaultValue: unknown;
}

/** A Dialect writes the SQL that differs between database engines. */
export interface Dialect {
  /** Full-text indexes and search conditions (docs/search.md §4). */
  readonly fullText: FullText;

  /** The column type and constraints for a field, e.g. `TEXT DEFAULT '' NOT NULL`. */
  columnDefinition(spec: ColumnSpec): string;
  /**
   * Column definitions every collection table gets besides its fields (e.g. an
   * insertion-order column where the engine has no rowid); never read as fields.
   */
  hiddenColumns(): string[];
  /** The CREATE INDEX statement of a collection index, on `table`, in this engine's SQL. */
  indexDefinition(index: ParsedIndex, table: string): string;
  /** Quotes an identifier that has already been validated against the schema. */
  quoteId(name: string): string;
  /** The column names of a table or view, in order. */
  tableColumns(exec: Executor, name: string): Promise<string[]>;

  /**
   * Translates a driver error into an AppError a client may see (a unique
   * violation becomes a 400 with `validation_not_unique` on the involved
   * columns, under `message`), or returns null when the error is not a client's.
   */
  translateError(err: unknown, message?: string): AppError | null;
  /**
   * What ends a SELECT that locks the rows it reads until the transaction ends
   * (` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose writers are serialized).
   */
  lockRows(): RawBuilder<unknown>;
  /**
   * What ends the SELECT of a job claim (docs/jobs.md §3): locks the rows it picks and
   * skips rows another transaction holds (` FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing
   * on SQLite, whose single writer serializes the claiming `UPDATE … RETURNING`).
   */
  skipLockedRows(): RawBuilder<unknown>;
  /**
   * The column definition of an auto-numbered, never reused integer primary key
   * (`INTEGER PRIMARY KEY AUTOINCREMENT` on SQLite, a `BIGINT` identity on PostgreSQL).
   */
  sequenceColumn(): string;
  /** Whether the error is a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean;

  /**
   * A condition that is always true but stops the statement once it has run past the
   * query time budget (`--queryTimeout`, a 400), checked on every row of the join level
   * that reads `row` (a column of that level). Written into each level that can
   * multiply rows; null when the engine bounds statements itself (PostgreSQL's
   * statement_timeout).
   */
  rowBudget(row: RawBuilder<unknown>): RawBuilder<boolean> | null;
  /**
   * Like rowBudget for the rows of a table scanned once (a list's own rows, alias
   * `alias`): cheap enough for every list, it checks the budget on one row in 1024.
   */
  scanBudget(alias: string): RawBuilder<boolean> | null;
  /**
   * Lifts the query time budget for the rest of a transaction: schema changes build
   * indexes and rewrite whole tables, which takes as long as the table is large.
   */
  liftQueryTimeout(trx: Executor): Promise<void>;

  /** A bound parameter for a JS value, converted to what the driver accepts (booleans as the stored 0/1). */
  param(value: unknown): RawBuilder<unknown>;
  /** The constant true/false of the filter language, comparable with bool, number and text values as stored. */
  booleanValue(value: boolean): RawBuilder<unknown>;
  /** Any value as the text SQLite would make of it (booleans as 1/0), for `= ''` and LIKE over columns of any type. */
  asText(expr: RawBuilder<unknown>, kind?: ValueKind): RawBuilder<unknown>;
  /** A bound value typed as a column of `kind` holds it (for rows that exist only as bound values). */
  typedValue(value: unknown, kind: ColumnKind): RawBuilder<unknown>;
  /**
   * Rewrites the two sides of a comparison so the engine compares them as SQLite
   * compares such values (its affinity rules: numeric text becomes a number against a
   * number column, a number becomes text against a text column, otherwise numbers
   * sort before text).
   */
  comparable(
    left: RawBuilder<unknown>, right: RawBuilder<unknown>, leftKind?: ValueKind, rightKind?: ValueKind,
  ): [RawBuilder<unknown>, RawBuilder<unknown>];
  /**
   * Both sides of an equality where NULL counts as '' (SQLite: `COALESCE(x, '')` on
   * each side, compared without affinity, so 5 and '5' differ).
   */
  coalesceEmpty(
    left: RawBuilder<unknown>, right: RawBuilder<unknown>, leftKind?: ValueKind, rightKind?: ValueKind,
  ): [RawBuilder<unknown>, RawBuilder<unknown>];
  /**
   * An ORDER BY item with NULLs first ascending and last descending (SQLite's order);
   * `kind` `json` orders a dynamically typed json value as SQLite does (numbers before text).
   */
  orderBy(expr: RawBuilder<unknown>, desc: boolean, kind?: ValueKind): RawBuilder<unknown>;
  /**
   * The values that `orderBy(expr, desc, kind)` orders by, most significant first: ordering
   * by each in turn, NULLs smallest, is that order. Keyset pagination compares a row's
   * values of these with the last row's, each with plain `<`, `=` and `>`.
   */
  orderKeys(expr: RawBuilder<unknown>, kind?: ValueKind): RawBuilder<unknown>[];
  /** A condition: the JSON array in `arrayExpr` contains `value` (bound). */
  jsonArrayContains(arrayExpr: RawBuilder<unknown>, value: RawBuilder<unknown>): RawBuilder<boolean>;
  /**
   * A set-returning expression over the items of a JSON array, usable in FROM with
   * an alias; the item is `<alias>.value`. A non-array value counts as a one-item array.
   */
  jsonEach(arrayExpr: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The number of items of a JSON array (a non-array non-empty value counts as 1, "" and NULL as 0). */
  jsonArrayLength(expr: RawBuilder<unknown>): RawBuilder<number>;
  /**
   * The scalar at a JSON path (segments: keys, or array indexes as numbers); an
   * empty path yields the whole value as a scalar. Non-JSON text yields itself.
   */
  jsonExtract(expr: RawBuilder<unknown>, path: ReadonlyArray<string | number>): RawBuilder<unknown>;
  /** ASCII case-insensitive LIKE with `\` as escape character. */
  likeInsensitive(left: RawBuilder<unknown>, pattern: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean>;
  /** Null-safe equality (`a IS b`) or inequality (`a IS NOT b`). */
  isDistinct(left: RawBuilder<unknown>, right: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean>;
  /** A random ordering expression for `sort=@random`. */
  random(): RawBuilder<unknown>;
  /** The engine's row number of a table alias, for `sort=@rowid`. */
  rowId(alias: string): RawBuilder<unknown>;
  /** The ORDER BY item that returns rows of a table alias in insertion order (docs/api.md §1.7). */
  insertionOrder(alias: string, descending?: boolean): RawBuilder<unknown>;
  /** Lower-cases a text expression. */
  lower(expr: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The Haversine distance in km between two points given in degrees (docs/api.md §4.4 `geoDistance`). */
  geoDistance(
    lonA: RawBuilder<unknown>, latA: RawBuilder<unknown>, lonB: RawBuilder<unknown>, latB: RawBuilder<unknown>,
  ): RawBuilder<number>;
  /** SQLite's `strftime(format, time, modifier…)` semantics (docs/api.md §4.4); NULL for a NULL or invalid time. */
  strftime(format: RawBuilder<unknown>, time: RawBuilder<unknown> | null, modifiers: RawBuilder<unknown>[]): RawBuilder<unknown>;
  /**
   * SUM of a number expression in double precision that never raises: past the double range
   * it is not a finite number (SQLite's ±Infinity, NULL on PostgreSQL), which the API answers as
   * null (docs/api.md §3.11).
   */
  sumDouble(expr: RawBuilder<unknown>): RawBuilder<unknown>;
  /** AVG of a number expression in double precision, not a finite number when its sum is not (as sumDouble). */
  avgDouble(expr: RawBuilder<unknown>): RawBuilder<unknown>;
}

/**
 * FullText is the part of a Dialect that keeps and queries full-text indexes
 * (docs/search.md §4): SQLite's FTS5 external-content tables, PostgreSQL's generated
 * `tsvector` column. Core code sees only this interface and its types.
 */
import type { RawBuilder } from 'kysely';
import type { SearchQuery } from '../../core/search/search-query.js';
import type { Executor } from '../database.js';

/** What a match condition is for: finding rows (`filter`), or testing a row already found (`row`). */
export type MatchUse = 'filter' | 'row';

/** What one collection's full-text index covers. */
export interface SearchIndexSpec {
  /** A stable name part for the index's objects: the collection id. */
  key: string;
  /** The collection's table. */
  table: string;
  /** The searchable columns, in field order (validated field names). */
  columns: string[];
}

/** FullText builds, fills and queries full-text indexes. */
export interface FullText {
  /**
   * Creates the index of `spec` inside the schema transaction. Rows written from then on
   * are indexed by the write itself; rows already there are indexed by `backfill`.
   */
  create(trx: Executor, spec: SearchIndexSpec): Promise<void>;
  /** Drops the index of `spec` (before its table or columns change). */
  drop(trx: Executor, spec: SearchIndexSpec): Promise<void>;
  /**
   * Carries the index of `from` over to `to`, the same fields of the same collection under
   * new names (a renamed collection or field), after the table and columns were renamed in
   * the schema transaction; false when this index cannot be (the caller drops and creates
   * it). Absent: a rename drops the index before and creates it after.
   */
  renamed?(trx: Executor, from: SearchIndexSpec, to: SearchIndexSpec): Promise<boolean>;
  /**
   * Holds the online work on the index of collection `key` off until `trx` ends, before a
   * schema change alters the collection's table: a long step under way is cancelled and
   * none starts, so the change waits for neither (docs/search.md §4.2). The fill goes on
   * after the change. Absent: the engine's steps never keep a schema change waiting.
   */
  hold?(trx: Executor, key: string): Promise<void>;
  /**
   * Indexes up to `batch` existing rows of one index still being filled, in one short
   * transaction, or takes another step of its build; returns how much it did (0: nothing
   * left anywhere). `signal` aborted (at shutdown): a long step is cancelled.
   */
  backfill(db: Executor, batch: number, signal?: AbortSignal): Promise<number>;
  /**
   * Brings one index made by an earlier version up to this version's layout, where that is
   * a schema change the node must finish before it serves (docs/search.md §4.2); returns how
   * many it changed (0: none left). Absent: such indexes are rebuilt by `backfill`.
   */
  upgrade?(db: Executor): Promise<number>;
  /**
   * A condition: the row `root` matches `query` in `column`, or in any column of the index
   * when null. `use` 'row': a test of one row the list already has (its rank, a negated
   * search), which an engine may write without the index lookup that finds rows.
   */
  match(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery, use?: MatchUse): RawBuilder<boolean>;
  /**
   * The rows of one relevance tier read from the index in insertion order, so that a page
   * sorted by `@rank` stops after its rows (docs/search.md §6). A tier is the rows matching
   * `query` (in `column`, or anywhere when null) whose whole include part matches in exactly
   * the columns of one of `subsets` (bit i: the i-th column of `spec`); null `subsets`: every
   * row matching. `present` (with `subsets`): a bitmask of the columns the include part
   * matches within in some row (columnHits), so that no part of the tier tests the others;
   * -1 when unknown. Absent on an engine without such a path: it ranks every matching row.
   */
  tier?(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery, subsets: number[] | null, present: number): SearchTierSource;
  /**
   * With `tier`: a query of one row, `hits`, a bitmask of the columns of `spec` the whole
   * include part of `query` matches within in at least one row (bit i: the i-th column).
   */
  columnHits?(spec: SearchIndexSpec, query: SearchQuery): RawBuilder<{ hits: number }>;
  /**
   * With `tier`: true when the engine expects so few rows to match `query` (in `column`, or
   * anywhere when null) that ranking every match in one statement costs less than reading
   * the tiers (docs/search.md §6.3). Absent: the tiers are always read.
   */
  ranksEveryMatch?(exec: Executor, spec: SearchIndexSpec, column: string | null, query: SearchQuery): Promise<boolean>;
  /**
   * A query of one row, `n`: how many rows match `query`, counted in the index alone
   * (with the tier path: the engine that has one keeps one index entry per row).
   */
  count?(spec: SearchIndexSpec, column: string | null, query: SearchQuery): RawBuilder<{ n: number }>;
}

/** The FROM clause of a tier (the collection's table as `root`, joined) and what orders it. */
export interface SearchTierSource {
  from: RawBuilder<unknown>;
  /** The row's insertion order, which the index returns rows in without sorting. */
  rowid: RawBuilder<unknown>;
  /**
   * The tier's first `limit` ids in insertion order (newest first when `descending`) under
   * `conditions` on `root`, when the engine reads them itself (docs/search.md §6); absent:
   * `SELECT root.id FROM from WHERE … ORDER BY rowid LIMIT limit`.
   */
  page?(exec: Executor, conditions: RawBuilder<boolean>[], descending: boolean, limit: number): Promise<string[]>;
}

/**
 * FullText is the part of a Dialect that keeps and queries full-text indexes
 * (docs/search.md §4): SQLite's FTS5 external-content tables, PostgreSQL's generated
 * `tsvector` column. Core code sees only this interface and its types.
 */
import type { RawBuilder } from 'kysely';
import type { SearchQuery } from '../../core/search/search-query.js';
import type { Executor } from '../database.js';

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
   * Indexes up to `batch` existing rows of one index still being filled, in one short
   * transaction; returns how many rows it indexed (0: nothing left anywhere).
   */
  backfill(db: Executor, batch: number): Promise<number>;
  /** A condition: the row `root` matches `query` in `column`, or in any column of the index when null. */
  match(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery): RawBuilder<boolean>;
}

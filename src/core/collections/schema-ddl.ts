/**
 * SchemaDdl is the port through which the collection service changes tables;
 * db/schema-sync.ts implements it for every dialect.
 */
import type { Executor } from '../../db/database.js';
import type { ColumnSpec } from '../../db/dialect/dialect.js';
import type { SearchIndexSpec } from '../../db/dialect/full-text.js';
import type { Collection, Field } from './collection.js';

/** What the DDL needs to know of field types; core/fields/field-storage.ts answers it. */
export interface FieldStorage {
  /** The column a field takes. */
  column(f: Field): ColumnSpec;
  /** The full-text index a collection needs, or null (docs/search.md §1). */
  search(c: Collection): SearchIndexSpec | null;
}

/** SchemaDdl creates, alters and drops the table of a collection inside a transaction. */
export interface SchemaDdl {
  /** Creates the table (or view) and the indexes of a new collection. */
  create(trx: Executor, c: Collection, storage: FieldStorage): Promise<void>;
  /** Brings the table of `old` to the shape of `next`. */
  update(trx: Executor, old: Collection, next: Collection, storage: FieldStorage): Promise<void>;
  /** Drops the table (or view) of a collection. */
  drop(trx: Executor, c: Collection): Promise<void>;
  /** The column names a view exposes. */
  viewColumns(trx: Executor, name: string): Promise<string[]>;
  /**
   * Lets the rest of the transaction run past the query timeout (`--queryTimeout`):
   * a schema change builds indexes and rewrites whole tables, however large.
   */
  liftQueryTimeout(trx: Executor): Promise<void>;
}

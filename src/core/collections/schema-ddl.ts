/**
 * SchemaDdl is the port through which the collection service changes tables;
 * db/schema-sync.ts implements it for every dialect.
 */
import type { Executor } from '../../db/database.js';
import type { Collection } from './collection.js';

/** SchemaDdl creates, alters and drops the table of a collection inside a transaction. */
export interface SchemaDdl {
  /** Creates the table (or view) and the indexes of a new collection. */
  create(trx: Executor, c: Collection): Promise<void>;
  /** Brings the table of `old` to the shape of `next`. */
  update(trx: Executor, old: Collection, next: Collection): Promise<void>;
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

/**
 * The CollectionStore writes what a collection is in the database: its table (or view)
 * through the SchemaDdl and its `_collections` row, always inside the caller's transaction.
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import { fieldStorage } from '../fields/field-storage.js';
import type { WriteScope } from '../records/write-scope.js';
import type { Collection } from './collection.js';
import type { SchemaDdl } from './schema-ddl.js';

/** What the CollectionStore needs. */
export interface CollectionStoreDeps {
  ddl: SchemaDdl;
  /**
   * Rewrites the stored values of `next`'s fields whose shape changed (one value ↔ many),
   * each record through the record write pipeline (hooks, event); after the table's DDL.
   */
  convertValues?(scope: WriteScope, old: Collection, next: Collection): Promise<void>;
}

/** CollectionStore reads the `_collections` rows and writes them together with their tables. */
export class CollectionStore {
  constructor(private readonly deps: CollectionStoreDeps) {}

  /** Every stored collection, oldest first. */
  async load(db: Executor): Promise<Collection[]> {
    const rows = await sql<{ data: string }>`SELECT data FROM _collections ORDER BY created, name`.execute(db);
    return rows.rows.map((r) => JSON.parse(r.data) as Collection);
  }

  /** Creates a collection's table (a view's was made while its fields were derived) and its `_collections` row. */
  async insert(trx: Executor, c: Collection): Promise<void> {
    if (c.type !== 'view') await this.deps.ddl.create(trx, c, fieldStorage);
    await sql`INSERT INTO _collections (id, name, type, system, data, created, updated)
      VALUES (${c.id}, ${c.name}, ${c.type}, ${c.system ? 1 : 0}, ${JSON.stringify(c)}, ${c.created}, ${c.updated})`.execute(trx);
  }

  /** Brings a collection's table (a view's was remade while its fields were derived) and its row to `next`. */
  async update(scope: WriteScope, old: Collection, next: Collection): Promise<void> {
    if (next.type !== 'view') await this.alterTable(scope, old, next);
    await sql`UPDATE _collections SET name = ${next.name}, data = ${JSON.stringify(next)}, updated = ${next.updated} WHERE id = ${old.id}`.execute(scope.trx);
  }

  /** Drops a collection's table or view and deletes its row. */
  async delete(trx: Executor, c: Collection): Promise<void> {
    await this.deps.ddl.drop(trx, c);
    await sql`DELETE FROM _collections WHERE id = ${c.id}`.execute(trx);
  }

  /** Brings the table of `old` to `next`, then converts the values whose shape changed. */
  private async alterTable(scope: WriteScope, old: Collection, next: Collection): Promise<void> {
    await this.deps.ddl.update(scope.trx, old, next, fieldStorage);
    await this.deps.convertValues?.(scope, old, next);
  }
}

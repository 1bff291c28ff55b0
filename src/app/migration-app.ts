/**
 * The app a migration's `up` and `down` receive: the PlinthApp bound to the
 * migration's transaction, able to change collections inside it.
 *
 * NOTE: a stand-in until PlinthApp itself saves collections (docs/hooks.md §4:
 * `app.save(collection)`, `app.delete(collection)`, `app.importCollections`),
 * which must then join the bound transaction as this does
 * (`CollectionService.within`); the runner then hands `up` the bound app itself.
 */
import type { Collection } from '../core/collections/collection.js';
import type { CollectionService } from '../core/collections/collection-service.js';
import type { Schema } from '../core/collections/schema.js';
import { RecordModel } from '../core/records/record-model.js';
import type { WriteScope } from '../core/records/write-scope.js';
import { badRequest } from '../errors/app-error.js';
import type { PlinthApp } from './plinth-app.js';

/** What a migration app needs beyond the bound app. */
export interface MigrationAppDeps {
  collections: CollectionService;
  schema: Schema;
}

/** `tx` (an app bound to a transaction) with collection writes that join its transaction. */
export function migrationApp(tx: PlinthApp, deps: MigrationAppDeps): PlinthApp {
  // NOTE: PlinthApp keeps the transaction it is bound to to itself; this stand-in reads it.
  const scope = (tx as unknown as { scope: WriteScope }).scope;
  const collections = (): CollectionService => deps.collections.within(scope);
  const methods = {
    /** Saves a record, or creates or updates a collection (by id) from its JSON. */
    async save(model: RecordModel | Partial<Collection>): Promise<void> {
      if (model instanceof RecordModel) return tx.save(model);
      assertCollection(model);
      const id = typeof model.id === 'string' ? model.id : '';
      if (id !== '' && deps.schema.find(id)?.id === id) await collections().update(id, model);
      else await collections().create(model);
    },
    /** Deletes a record, or a collection with its table. */
    async delete(model: RecordModel | Partial<Collection>): Promise<void> {
      if (model instanceof RecordModel) return tx.delete(model);
      assertCollection(model);
      await collections().delete(String(model.id ?? ''));
    },
    /** Imports collections as `PUT /api/collections/import` does, in the migration's transaction. */
    async importCollections(list: unknown, deleteMissing = false): Promise<void> {
      await collections().import(list, deleteMissing);
    },
  };
  return Object.create(tx, {
    save: { value: methods.save },
    delete: { value: methods.delete },
    importCollections: { value: methods.importCollections },
  }) as PlinthApp;
}

function assertCollection(model: unknown): asserts model is Partial<Collection> {
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw badRequest('Expected a record or a collection.');
  }
}

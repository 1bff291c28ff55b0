/**
 * The CollectionService creates, changes and deletes collections: it validates
 * the definition, writes the `_collections` row and the table's DDL in one
 * transaction, then publishes the new schema.
 */
import { AppError, badRequest, notFound } from '../../errors/app-error.js';
import type { Executor } from '../../db/database.js';
import { nowDateTime } from '../../tools/datetime.js';
import type { Collection } from './collection.js';
import { normalizeNewCollection, mergeCollectionPatch } from './collection-normalize.js';
import { assertValidCollection } from './collection-validate.js';
import { systemCollections } from './collection-defaults.js';
import type { CollectionHooks } from './collection-hooks.js';
import { CollectionHookRunner } from './collection-hook-runner.js';
import { CollectionStore, type CollectionStoreDeps } from './collection-store.js';
import { CollectionTransaction, errorText, type CollectionTransactionDeps } from './collection-transaction.js';
import { importCollections } from './collection-import.js';
import { buildView, dryRunView } from './view-build.js';
import type { WriteScope } from '../records/write-scope.js';

/** What the CollectionService needs. */
export interface CollectionServiceDeps extends CollectionTransactionDeps, CollectionStoreDeps {
  /** Checks a rule expression against a collection, reading only `collections`; returns an error text or null. */
  validateRule(collection: Collection, rule: string, collections: readonly Collection[]): string | null;
  /** The collection model hooks (docs/hooks.md §2); none bound = the changes run directly. */
  hooks?: CollectionHooks;
  /** Reports what an after-success or after-error hook threw: the change has ended, so it cannot fail it. */
  onHookError?(err: unknown): void;
}

/** CollectionService owns the schema: every collection change goes through it. */
export class CollectionService {
  private readonly store: CollectionStore;
  private readonly hooks: CollectionHookRunner;
  private readonly tx: CollectionTransaction;

  /**
   * @param joined the open transaction this service writes in (see `within`); undefined:
   *   each change runs in a transaction of its own.
   */
  constructor(private readonly deps: CollectionServiceDeps, joined?: WriteScope) {
    this.store = new CollectionStore(deps);
    this.hooks = new CollectionHookRunner(deps.hooks, deps.onHookError);
    this.tx = new CollectionTransaction(deps, this.store, this.hooks, joined);
  }

  /**
   * This service writing inside the open transaction of `scope` (a migration's): each
   * change joins it and the schema is reloaded from it, so later steps see the change.
   * Nothing is announced: whoever owns the transaction reloads the schema after a
   * rollback and announces it after the commit.
   */
  within(scope: WriteScope): CollectionService {
    return new CollectionService(this.deps, scope);
  }

  /**
   * Ends the schema changes made `within` a transaction: reloads the schema once it
   * ended and, when it committed, announces the change.
   */
  async settle(committed: boolean): Promise<void> {
    await this.tx.settle(committed);
  }

  /** Loads the stored collections; installs the system collections on a new database. */
  async init(): Promise<void> {
    await this.reload();
    if (this.deps.schema.all().length > 0) return;
    await this.deps.db.transaction().execute(async (trx) => {
      await this.deps.ddl.liftQueryTimeout(trx);
      for (const c of systemCollections()) await this.store.insert(trx, c);
    });
    await this.reload();
  }

  /** Reads every collection from the database into the schema. */
  async reload(): Promise<void> {
    await this.tx.reload();
  }

  /** The collection with this id or name, or a 404. */
  get(idOrName: string): Collection {
    const c = this.deps.schema.find(idOrName);
    if (!c) throw notFound();
    return c;
  }

  /** Creates a collection from client JSON. */
  async create(input: unknown): Promise<Collection> {
    return this.insert(this.draftNew(input));
  }

  /** The collection client JSON describes, normalized but not validated nor saved (what a create request hook sees). */
  draftNew(input: unknown): Collection {
    return normalizeNewCollection(input, this.deps.schema.all().map((c) => c.id));
  }

  /** Saves a new collection (a draft from `draftNew`) through its model hooks. */
  async insert(draft: Collection): Promise<Collection> {
    const message = 'Failed to create collection.';
    return this.tx.run((scope, changes) => this.hooks.hooked(scope, 'create', draft, changes, async (next) => {
      if (next.type === 'view') next = await this.buildView(scope.trx, next, undefined);
      await this.validated(scope, next, undefined, message);
      await this.store.insert(scope.trx, next);
      return next;
    }), failedWith(message));
  }

  /** Applies a partial update (docs/api.md §2 PATCH semantics). */
  async update(idOrName: string, patch: unknown): Promise<Collection> {
    const { old, next } = this.draftUpdate(idOrName, patch);
    return this.applyUpdate(old, next);
  }

  /** The stored collection and what a patch makes of it, not yet validated nor saved. */
  draftUpdate(idOrName: string, patch: unknown): { old: Collection; next: Collection } {
    const old = this.get(idOrName);
    return { old, next: { ...mergeCollectionPatch(old, patch), updated: nowDateTime() } };
  }

  /** Saves `next` over the stored `old` through the model hooks. */
  async applyUpdate(old: Collection, draft: Collection): Promise<Collection> {
    const message = 'Failed to update collection.';
    return this.tx.run((scope, changes) => this.hooks.hooked(scope, 'update', draft, changes, async (next) => {
      if (next.type === 'view') next = await this.buildView(scope.trx, next, old);
      await this.validated(scope, next, old, message);
      await this.store.update(scope, old, next);
      return next;
    }), failedWith(message));
  }

  /** Deletes a collection and its table; refused for system collections and referenced ones. */
  async delete(idOrName: string): Promise<void> {
    await this.remove(this.get(idOrName));
  }

  /** Deletes a stored collection through its model hooks. */
  async remove(collection: Collection): Promise<void> {
    await this.tx.run((scope, changes) => this.hooks.hooked(scope, 'delete', collection, changes, async (c) => {
      await this.dropChecked(scope.trx, c);
      return c;
    }), failedWith('Failed to delete collection.'));
  }

  /**
   * Imports many collections in one transaction (docs/api.md §2): matched by id then
   * name; with deleteMissing, non-system collections absent from the list go.
   */
  async import(list: unknown, deleteMissing: boolean): Promise<void> {
    const { deps, tx, hooks, store } = this;
    const validated = this.validated.bind(this);
    await importCollections({ schema: deps.schema, ddl: deps.ddl, tx, hooks, store, validated }, list, deleteMissing);
  }

  /**
   * Derives the fields of a view query and reads up to 10 of its rows without
   * saving anything (docs/api.md §2 `meta/dry-run-view`).
   */
  async dryRunView(query: unknown): Promise<{ collection: Collection; rows: Record<string, unknown>[] }> {
    const assertValid = (c: Collection, message: string): void => this.assertValid(c, undefined, message);
    return dryRunView({ db: this.deps.db, ddl: this.deps.ddl, schema: this.deps.schema, assertValid }, query);
  }

  /** The names of collections whose relation fields point to `c`, or views reading it. */
  referencesTo(c: Collection): string[] {
    const names: string[] = [];
    for (const other of this.deps.schema.all()) {
      if (other.id === c.id) continue;
      const byRelation = other.fields.some((f) => f.type === 'relation' && f.collectionId === c.id);
      const byView = other.type === 'view' && new RegExp(`\\b${c.name}\\b`, 'i').test(other.viewQuery ?? '');
      if (byRelation || byView) names.push(other.name);
    }
    return names;
  }

  /** Creates the view of `next` to derive its fields, its query checked against `all`. */
  private buildView(trx: Executor, next: Collection, old: Collection | undefined): Promise<Collection> {
    return buildView(this.deps.ddl, trx, next, old, this.deps.schema.all());
  }

  /** Validates `next` inside the `onCollectionValidate` hook (whose handlers may change or refuse it). */
  private async validated(scope: WriteScope, next: Collection, old: Collection | undefined, message: string, all?: readonly Collection[]): Promise<void> {
    await this.hooks.validated(scope, next, (c) => this.assertValid(c, old, message, all));
  }

  private assertValid(next: Collection, old: Collection | undefined, message: string, all: readonly Collection[] = this.deps.schema.all()): void {
    assertValidCollection(next, old, all, this.deps.validateRule, message);
  }

  /** Refuses to drop a system collection or one others refer to, then drops it. */
  private async dropChecked(trx: Executor, c: Collection): Promise<void> {
    if (c.system) throw badRequest('Failed to delete collection due to system protection.');
    const refs = this.referencesTo(c);
    if (refs.length > 0) throw badRequest(`Failed to delete collection probably due to existing reference in ${refs.join(', ')}.`);
    await this.store.delete(trx, c);
  }
}

/** A failed change's error as the client sees it: an AppError as it is, a database error a 400 with `message`. */
function failedWith(message: string): (err: unknown) => AppError {
  return (err) => (err instanceof AppError ? err : badRequest(`${message} Raw error: ${errorText(err)}`, {}, err));
}

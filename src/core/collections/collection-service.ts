/**
 * The CollectionService creates, changes and deletes collections: it validates
 * the definition, writes the `_collections` row and the table's DDL in one
 * transaction, then publishes the new schema.
 */
import { sql } from 'kysely';
import { AppError, badRequest, isAppError, notFound, type ErrorData } from '../../errors/app-error.js';
import type { Db, Executor } from '../../db/database.js';
import { nowDateTime } from '../../tools/datetime.js';
import { randomId } from '../../tools/ids.js';
import type { Collection } from './collection.js';
import { normalizeNewCollection, mergeCollectionPatch } from './collection-normalize.js';
import { validateCollection } from './collection-validate.js';
import { systemCollections } from './collection-defaults.js';
import { deriveViewFields } from './view-fields.js';
import { viewQueryProblem } from './view-query.js';
import type { MemorySchema } from './schema.js';
import type { SchemaDdl } from './schema-ddl.js';
import { fieldStorage } from '../fields/field-storage.js';
import { collectionEventTags, type CollectionAction, type CollectionHooks } from './collection-hooks.js';
import { WriteScope } from '../records/write-scope.js';
import { isServiceUnavailable, unavailable } from '../../errors/service-unavailable.js';
import { codeError } from '../../errors/code-error.js';

/** What the CollectionService needs. */
export interface CollectionServiceDeps {
  db: Db;
  ddl: SchemaDdl;
  schema: MemorySchema;
  /** Checks a rule expression against a collection; returns an error text or null. */
  validateRule(collection: Collection, rule: string): string | null;
  /** Called, and awaited, after a schema change commits (cache invalidation, other nodes). */
  onChange?(): void | Promise<void>;
  /**
   * Runs a schema change in a transaction whose record writes publish their events and
   * after-hooks once it commits (RecordService.inTransaction); a plain transaction without.
   */
  transaction?<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T>;
  /**
   * Rewrites the stored values of `next`'s fields whose shape changed (one value ↔ many),
   * each record through the record write pipeline (hooks, event); after the table's DDL.
   */
  convertValues?(scope: WriteScope, old: Collection, next: Collection): Promise<void>;
  /** The collection model hooks (docs/hooks.md §2); none bound = the changes run directly. */
  hooks?: CollectionHooks;
  /** Reports what an after-success or after-error hook threw: the change has ended, so it cannot fail it. */
  onHookError?(err: unknown): void;
}

/** A collection created, updated or deleted in the running transaction, for its after hooks. */
interface CollectionChange {
  action: CollectionAction;
  collection: Collection;
}

/** The longest query `meta/dry-run-view` accepts (docs/api.md §2). */
const MAX_VIEW_QUERY_LENGTH = 5000;

/** CollectionService owns the schema: every collection change goes through it. */
export class CollectionService {
  /**
   * @param joined the open transaction this service writes in (see `within`); undefined:
   *   each change runs in a transaction of its own.
   */
  constructor(private readonly deps: CollectionServiceDeps, private readonly joined?: WriteScope) {}

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
    await this.reload();
    if (committed) await this.deps.onChange?.();
  }

  /** Loads the stored collections; installs the system collections on a new database. */
  async init(): Promise<void> {
    await this.reload();
    if (this.deps.schema.all().length > 0) return;
    await this.deps.db.transaction().execute(async (trx) => {
      await this.deps.ddl.liftQueryTimeout(trx);
      const installed: Collection[] = [];
      for (const c of systemCollections()) {
        await this.insertCollection(trx, c);
        installed.push(c);
      }
    });
    await this.reload();
  }

  /** Reads every collection from the database into the schema. */
  async reload(): Promise<void> {
    const rows = await sql<{ data: string }>`SELECT data FROM _collections ORDER BY created, name`.execute(this.joined?.trx ?? this.deps.db);
    this.deps.schema.replaceAll(rows.rows.map((r) => JSON.parse(r.data) as Collection));
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
    return this.write(message, (scope, changes) => this.hooked(scope, 'create', draft, changes, async (next) => {
      if (next.type === 'view') next = await this.withViewFields(scope.trx, next, undefined);
      await this.validated(scope, next, undefined, message);
      await this.insertCollection(scope.trx, next);
      return next;
    }));
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
    return this.write(message, (scope, changes) => this.hooked(scope, 'update', draft, changes, async (next) => {
      if (next.type === 'view') next = await this.withViewFields(scope.trx, next, old);
      await this.validated(scope, next, old, message);
      await this.updateCollection(scope, old, next);
      return next;
    }));
  }

  /** Deletes a collection and its table; refused for system collections and referenced ones. */
  async delete(idOrName: string): Promise<void> {
    await this.remove(this.get(idOrName));
  }

  /** Deletes a stored collection through its model hooks. */
  async remove(collection: Collection): Promise<void> {
    await this.write('Failed to delete collection.', (scope, changes) => this.hooked(scope, 'delete', collection, changes, async (c) => {
      await this.dropChecked(scope.trx, c);
      return c;
    }));
  }

  /**
   * Imports many collections in one transaction (docs/api.md §2): matched by id then
   * name; with deleteMissing, non-system collections absent from the list go.
   */
  async import(list: unknown, deleteMissing: boolean): Promise<void> {
    if (!Array.isArray(list) || list.length === 0 || list.some((c) => typeof c !== 'object' || c === null || Array.isArray(c))) {
      throw badRequest('Failed to import collections.', { collections: codeError('validation_required') });
    }
    const items = list as Record<string, unknown>[];
    const errors: ErrorData = {};
    let at = -1;
    const changes: CollectionChange[] = [];
    try {
      await this.transact(async (scope) => {
        const trx = scope.trx;
        // Like PocketBase, every item is merged first and validated only once all of
        // them are known, so relations may point forward or both ways in one payload.
        const stored = this.deps.schema.all();
        const taken = new Set(stored.map((c) => c.id));
        const plans: ImportPlan[] = [];
        for (const [i, raw] of items.entries()) {
          at = i;
          const old = stored.find((c) => c.id === raw.id)
            ?? stored.find((c) => typeof raw.name === 'string' && c.name.toLowerCase() === raw.name.toLowerCase());
          const next = old ? { ...mergeImported(old, raw, deleteMissing), updated: nowDateTime() } : normalizeNewCollection(raw, taken);
          taken.add(next.id);
          plans.push({ index: i, old, next });
        }
        at = -1;
        const matched = new Set(plans.map((p) => p.old?.id));
        const removed = deleteMissing ? stored.filter((c) => !c.system && !matched.has(c.id)) : [];
        let all: Collection[] = [...stored.filter((c) => !matched.has(c.id) && !removed.includes(c)), ...plans.map((p) => p.next)];
        // Views go first: they may read tables about to be dropped.
        for (const c of [...removed].sort((a, b) => Number(b.type === 'view') - Number(a.type === 'view'))) {
          await this.hooked(scope, 'delete', c, changes, async (gone) => {
            await this.deleteCollection(trx, gone);
            return gone;
          });
        }
        // Tables before views: a view may read a table this import creates.
        const ordered = [...plans.filter((p) => p.next.type !== 'view'), ...plans.filter((p) => p.next.type === 'view')];
        for (const plan of ordered) {
          at = plan.index;
          await this.hooked(scope, plan.old ? 'update' : 'create', plan.next, changes, async (draft) => {
            let next = draft;
            if (next.type === 'view') next = await this.withViewFields(trx, next, plan.old, all);
            // A handler may have replaced the model: the schema checked against holds what is saved.
            all = all.map((c) => (c === plan.next ? next : c));
            plan.next = next;
            await this.validated(scope, next, plan.old, 'Failed to import collections.', all);
            if (plan.old) await this.updateCollection(scope, plan.old, next);
            else await this.insertCollection(trx, next);
            return next;
          });
        }
      });
    } catch (err) {
      // A database that is down is not the superuser's mistake: 503, not a failed import.
      if (isServiceUnavailable(err)) {
        await this.afterFailure(changes, err);
        throw unavailable(err);
      }
      if (at >= 0) {
        errors[String(at)] = !isAppError(err)
          ? codeError('validation_invalid_collection', undefined, `Raw error: ${errorText(err)}`)
          : Object.keys(err.data).length ? err.data : codeError('validation_invalid_collection', undefined, err.message);
      }
      await this.reloadAfterRollback();
      await this.afterFailure(changes, err);
      // A database error (a UNIQUE index over duplicates, a bad view…) is the
      // superuser's mistake too: it fails the import like a validation error.
      throw badRequest('Failed to import collections.', {
        collections: codeError('validation_collections_import_failure', { errors }),
      }, err);
    }
    await this.reload();
    await this.announce();
    await this.succeeded(changes);
  }

  /**
   * Derives the fields of a view query and reads up to 10 of its rows without
   * saving anything (docs/api.md §2 `meta/dry-run-view`): the view is created in a
   * transaction that is always rolled back.
   */
  async dryRunView(query: unknown): Promise<{ collection: Collection; rows: Record<string, unknown>[] }> {
    const message = 'Failed to dry run the view query.';
    if (typeof query !== 'string' || query.trim() === '') {
      throw badRequest(message, { query: codeError('validation_required') });
    }
    if (query.length > MAX_VIEW_QUERY_LENGTH) {
      throw badRequest(message, { query: codeError('validation_length_too_long', { max: MAX_VIEW_QUERY_LENGTH }) });
    }
    const name = `_dry_run_${randomId(10)}`;
    let draft = normalizeNewCollection({ name, type: 'view', viewQuery: query }, this.deps.schema.all().map((c) => c.id));
    let rows: Record<string, unknown>[] = [];
    const rollback = new Error('dry run rollback');
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        draft = await this.withViewFields(trx, draft, undefined);
        this.assertValid(draft, undefined, message);
        rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)} LIMIT 10`.execute(trx)).rows;
        throw rollback;
      });
    } catch (err) {
      if (err !== rollback) {
        if (isAppError(err)) throw err;
        if (isServiceUnavailable(err)) throw unavailable(err);
        throw badRequest(`${message} Raw error: ${errorText(err)}`, {}, err);
      }
    }
    return { collection: draft, rows };
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

  private assertValid(next: Collection, old: Collection | undefined, message: string, all: readonly Collection[] = this.deps.schema.all()): void {
    // NOTE: only the old version of this collection is left out: another one with the
    // submitted id must stay visible so a clash is reported as a validation error.
    const collections = [...all.filter((c) => c !== next && (!old || c.id !== old.id)), next];
    const errors = validateCollection(next, { old, collections, validateRule: this.deps.validateRule });
    if (errors) throw badRequest(message, errors);
  }

  /** Creates the view to learn its columns, then derives its fields (docs/api.md §2.1). */
  private async withViewFields(trx: Executor, next: Collection, old: Collection | undefined, all: readonly Collection[] = this.deps.schema.all()): Promise<Collection> {
    const failed = old ? 'Failed to update collection.' : 'Failed to create collection.';
    if (!next.viewQuery || !/^\s*select\s/i.test(next.viewQuery)) {
      throw badRequest(failed, { viewQuery: codeError('validation_invalid_view_query') });
    }
    const problem = viewQueryProblem(next.viewQuery, all);
    if (problem) throw badRequest(failed, { viewQuery: codeError('validation_invalid_view_query', undefined, problem) });
    if (old) await this.deps.ddl.drop(trx, old);
    await this.createViewChecked(trx, next);
    const columns = await this.deps.ddl.viewColumns(trx, next.name);
    return { ...next, ...deriveViewFields(next, columns, all, old) };
  }

  private async createViewChecked(trx: Executor, c: Collection): Promise<void> {
    try {
      // NOTE: a savepoint keeps a failed CREATE VIEW from poisoning the transaction on PostgreSQL.
      await sql.raw('SAVEPOINT plinth_view').execute(trx);
      await this.deps.ddl.create(trx, c, fieldStorage);
      await sql`SELECT * FROM ${sql.table(c.name)} LIMIT 0`.execute(trx);
      await sql.raw('RELEASE SAVEPOINT plinth_view').execute(trx);
    } catch (err) {
      await sql.raw('ROLLBACK TO SAVEPOINT plinth_view').execute(trx);
      if (isAppError(err)) throw err;
      throw badRequest('Failed to create collection.', {
        viewQuery: codeError('validation_invalid_view_query'),
      }, err);
    }
  }

  /** Creates a collection's table (a view's was made while its fields were derived) and its `_collections` row. */
  private async insertCollection(trx: Executor, c: Collection): Promise<void> {
    if (c.type !== 'view') await this.deps.ddl.create(trx, c, fieldStorage);
    await sql`INSERT INTO _collections (id, name, type, system, data, created, updated)
      VALUES (${c.id}, ${c.name}, ${c.type}, ${c.system ? 1 : 0}, ${JSON.stringify(c)}, ${c.created}, ${c.updated})`.execute(trx);
  }

  /** Brings a collection's table (a view's was remade while its fields were derived) and its row to `next`. */
  private async updateCollection(scope: WriteScope, old: Collection, next: Collection): Promise<void> {
    if (next.type !== 'view') await this.alterTable(scope, old, next);
    await sql`UPDATE _collections SET name = ${next.name}, data = ${JSON.stringify(next)}, updated = ${next.updated} WHERE id = ${old.id}`.execute(scope.trx);
  }

  /** Drops a collection's table or view and deletes its row. */
  private async deleteCollection(trx: Executor, c: Collection): Promise<void> {
    await this.deps.ddl.drop(trx, c);
    await sql`DELETE FROM _collections WHERE id = ${c.id}`.execute(trx);
  }

  /** Runs a schema change in a transaction, past the query timeout; database errors become a 400 with `message`. */
  /** Brings the table of `old` to `next`, then converts the values whose shape changed. */
  private async alterTable(scope: WriteScope, old: Collection, next: Collection): Promise<void> {
    await this.deps.ddl.update(scope.trx, old, next, fieldStorage);
    await this.deps.convertValues?.(scope, old, next);
  }

  /** A transaction for a schema change: the record writes in it publish after commit when the deps allow. */
  private inTransaction<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    if (this.deps.transaction) return this.deps.transaction(fn);
    return this.deps.db.transaction().execute((trx) => fn(new WriteScope(trx)));
  }

  private async write<T>(message: string, fn: (scope: WriteScope, changes: CollectionChange[]) => Promise<T>): Promise<T> {
    const changes: CollectionChange[] = [];
    let result: T;
    try {
      result = await this.transact((scope) => fn(scope, changes));
    } catch (err) {
      if (isServiceUnavailable(err)) {
        await this.afterFailure(changes, err);
        throw unavailable(err);
      }
      await this.reloadAfterRollback();
      await this.afterFailure(changes, err);
      if (err instanceof AppError) throw err;
      throw badRequest(`${message} Raw error: ${errorText(err)}`, {}, err);
    }
    await this.reload();
    await this.announce();
    await this.succeeded(changes);
    return result;
  }

  /** Runs `fn` in a new transaction, or in a savepoint of the joined one; either way past the query timeout. */
  private async transact<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    const joined = this.joined;
    if (!joined) {
      return this.inTransaction(async (scope) => {
        await this.deps.ddl.liftQueryTimeout(scope.trx);
        return fn(scope);
      });
    }
    // A savepoint keeps a failed change from leaving half its DDL in the joined transaction
    // (SQLite) or aborting it (PostgreSQL): the caller may catch the error and go on.
    const trx = joined.trx;
    const events = joined.events.length;
    await sql.raw('SAVEPOINT plinth_collection_change').execute(trx);
    try {
      await this.deps.ddl.liftQueryTimeout(trx);
      const result = await fn(joined);
      await sql.raw('RELEASE SAVEPOINT plinth_collection_change').execute(trx);
      return result;
    } catch (err) {
      // The record events of converted values were rolled back with the savepoint.
      joined.events.splice(events);
      await sql.raw('ROLLBACK TO SAVEPOINT plinth_collection_change').execute(trx)
        .then(() => sql.raw('RELEASE SAVEPOINT plinth_collection_change').execute(trx))
        .catch(() => undefined);
      throw err;
    }
  }

  /**
   * Puts the schema back as stored after a failed change. In a joined transaction the
   * savepoint's rollback left the tables as the schema already describes them.
   */
  private async reloadAfterRollback(): Promise<void> {
    if (!this.joined) await this.reload();
  }

  /** Tells the node's caches and the other nodes, unless the change waits on a joined transaction's commit. */
  private async announce(): Promise<void> {
    if (!this.joined) await this.deps.onChange?.();
  }

  /** Refuses to drop a system collection or one others refer to, then drops it. */
  private async dropChecked(trx: Executor, c: Collection): Promise<void> {
    if (c.system) throw badRequest('Failed to delete collection due to system protection.');
    const refs = this.referencesTo(c);
    if (refs.length > 0) throw badRequest(`Failed to delete collection probably due to existing reference in ${refs.join(', ')}.`);
    await this.deleteCollection(trx, c);
  }

  /**
   * Runs `action` on `collection` inside the model hook of `kind`, in `scope`'s transaction,
   * and notes the change for its after hooks. Resolves to what the action saved, or to the
   * collection as the handlers left it when one of them stopped the chain (nothing saved).
   */
  private async hooked(
    scope: WriteScope, kind: CollectionAction, collection: Collection, changes: CollectionChange[],
    action: (c: Collection) => Promise<Collection>,
  ): Promise<Collection> {
    // Noted when the action starts, so a change a handler stopped gets no after hook.
    const run = async (c: Collection): Promise<Collection> => {
      const change: CollectionChange = { action: kind, collection: c };
      changes.push(change);
      return (change.collection = await action(c));
    };
    const hooks = this.deps.hooks;
    if (!hooks || hooks.around(kind).isEmpty) return run(collection);
    const e = { app: hooks.appFor(scope), collection };
    await hooks.around(kind).trigger(e, collectionEventTags(collection), async (ev) => {
      ev.collection = await run(ev.collection);
    });
    return e.collection;
  }

  /** Validates `next` inside the `onCollectionValidate` hook (whose handlers may change or refuse it). */
  private async validated(scope: WriteScope, next: Collection, old: Collection | undefined, message: string, all?: readonly Collection[]): Promise<void> {
    const hook = this.deps.hooks?.onCollectionValidate;
    if (!hook || hook.isEmpty) return this.assertValid(next, old, message, all);
    await hook.trigger({ app: this.deps.hooks!.appFor(scope), collection: next }, collectionEventTags(next), (e) => {
      this.assertValid(e.collection, old, message, all);
    });
  }

  /** Runs the after-success hook of each change that committed. */
  private async afterSuccess(changes: readonly CollectionChange[]): Promise<void> {
    const hooks = this.deps.hooks;
    if (!hooks) return;
    for (const { action, collection } of changes) {
      const hook = hooks.success(action);
      if (hook.isEmpty) continue;
      try {
        await hook.trigger({ app: hooks.appFor(undefined), collection }, collectionEventTags(collection), () => undefined);
      } catch (err) {
        this.deps.onHookError?.(err);
      }
    }
  }

  /** Runs the after-error hook of each change the failed transaction held. */
  private async afterFailure(changes: readonly CollectionChange[], error: unknown): Promise<void> {
    const hooks = this.deps.hooks;
    if (!hooks) return;
    for (const { action, collection } of changes) {
      const hook = hooks.failure(action);
      if (hook.isEmpty) continue;
      try {
        await hook.trigger({ app: hooks.appFor(undefined), collection, error }, collectionEventTags(collection), () => undefined);
      } catch (err) {
        this.deps.onHookError?.(err);
      }
    }
  }

  /**
   * Runs the after-success hooks of `changes` now, or, in a joined transaction, once it
   * commits (the after-error hooks when it rolls back instead).
   */
  private async succeeded(changes: readonly CollectionChange[]): Promise<void> {
    const joined = this.joined;
    if (!joined) return this.afterSuccess(changes);
    if (changes.length === 0 || !this.deps.hooks) return;
    joined.afterCommit(() => this.afterSuccess(changes));
    joined.afterRollback((err) => this.afterFailure(changes, err));
  }
}

/** One item of an import: where it was in the payload, the stored collection it matched, and what it becomes. */
interface ImportPlan {
  index: number;
  old: Collection | undefined;
  next: Collection;
}

/** Merges an imported definition onto a stored one: fields not mentioned stay unless deleteMissing. */
function mergeImported(current: Collection, raw: Record<string, unknown>, deleteMissing: boolean): Collection {
  // Matched by name, the stored id stays: the import updates that collection.
  const patch = { ...raw, id: current.id };
  if (!Array.isArray(raw.fields) || raw.fields.some((g) => typeof g !== 'object' || g === null || Array.isArray(g))) {
    return mergeCollectionPatch(current, patch);
  }
  const given = raw.fields as Record<string, unknown>[];
  // docs/api.md §2.3: import also matches fields by name and type.
  const withIds = given.map((g) => {
    const same = current.fields.find((f) => f.name === g.name && f.type === g.type);
    return (g.id === undefined || g.id === '') && same ? { ...g, id: same.id } : g;
  });
  const kept = deleteMissing ? [] : current.fields.filter((f) => !withIds.some((g) => g.id === f.id));
  return mergeCollectionPatch(current, { ...patch, fields: [...kept, ...withIds] });
}

/** A database error's message, kept to one safe line for the superuser who made the change. */
function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 300);
}

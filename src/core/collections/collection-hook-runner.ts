/**
 * The CollectionHookRunner runs the collection model hooks (docs/hooks.md §2) of a schema
 * change: around the action and its validation inside the transaction, and the
 * after-success or after-error hooks once the transaction ended.
 */
import type { WriteScope } from '../records/write-scope.js';
import type { Collection } from './collection.js';
import { collectionEventTags, type CollectionAction, type CollectionHooks } from './collection-hooks.js';

/** A collection created, updated or deleted in the running transaction, for its after hooks. */
export interface CollectionChange {
  action: CollectionAction;
  collection: Collection;
}

/** CollectionHookRunner runs the model hooks of collection changes; without hooks the actions run directly. */
export class CollectionHookRunner {
  /**
   * @param hooks the collection model hooks; undefined: none, ever.
   * @param onHookError reports what an after-success or after-error hook threw: the change
   *   has ended, so it cannot fail it.
   */
  constructor(private readonly hooks?: CollectionHooks, private readonly onHookError?: (err: unknown) => void) {}

  /**
   * Runs `action` on `collection` inside the model hook of `kind`, in `scope`'s transaction,
   * and notes the change for its after hooks. Resolves to what the action saved, or to the
   * collection as the handlers left it when one of them stopped the chain (nothing saved).
   */
  async hooked(
    scope: WriteScope, kind: CollectionAction, collection: Collection, changes: CollectionChange[],
    action: (c: Collection) => Promise<Collection>,
  ): Promise<Collection> {
    // Noted when the action starts, so a change a handler stopped gets no after hook.
    const run = async (c: Collection): Promise<Collection> => {
      const change: CollectionChange = { action: kind, collection: c };
      changes.push(change);
      return (change.collection = await action(c));
    };
    const hooks = this.hooks;
    if (!hooks || hooks.around(kind).isEmpty) return run(collection);
    const e = { app: hooks.appFor(scope), collection };
    await hooks.around(kind).trigger(e, collectionEventTags(collection), async (ev) => {
      ev.collection = await run(ev.collection);
    });
    return e.collection;
  }

  /** Runs `check` on `next` inside the `onCollectionValidate` hook (whose handlers may change or refuse it). */
  async validated(scope: WriteScope, next: Collection, check: (c: Collection) => void): Promise<void> {
    const hooks = this.hooks;
    const hook = hooks?.onCollectionValidate;
    if (!hooks || !hook || hook.isEmpty) return check(next);
    await hook.trigger({ app: hooks.appFor(scope), collection: next }, collectionEventTags(next), (e) => {
      check(e.collection);
    });
  }

  /** Runs the after-success hook of each change that committed. */
  async afterSuccess(changes: readonly CollectionChange[]): Promise<void> {
    await this.eachAfter(changes, (hooks, { action, collection }) => {
      const hook = hooks.success(action);
      if (hook.isEmpty) return undefined;
      return hook.trigger({ app: hooks.appFor(undefined), collection }, collectionEventTags(collection), () => undefined);
    });
  }

  /** Runs the after-error hook of each change the failed transaction held. */
  async afterFailure(changes: readonly CollectionChange[], error: unknown): Promise<void> {
    await this.eachAfter(changes, (hooks, { action, collection }) => {
      const hook = hooks.failure(action);
      if (hook.isEmpty) return undefined;
      return hook.trigger({ app: hooks.appFor(undefined), collection, error }, collectionEventTags(collection), () => undefined);
    });
  }

  /** Runs the after hooks of `changes` once `scope`'s transaction ends: success on commit, error on rollback. */
  afterEnd(scope: WriteScope, changes: readonly CollectionChange[]): void {
    if (changes.length === 0 || !this.hooks) return;
    scope.afterCommit(() => this.afterSuccess(changes));
    scope.afterRollback((err) => this.afterFailure(changes, err));
  }

  /** Runs `run` for each change; what it throws is reported, not thrown: the change has ended. */
  private async eachAfter(
    changes: readonly CollectionChange[], run: (hooks: CollectionHooks, change: CollectionChange) => Promise<void> | undefined,
  ): Promise<void> {
    const hooks = this.hooks;
    if (!hooks) return;
    for (const change of changes) {
      try {
        await run(hooks, change);
      } catch (err) {
        this.onHookError?.(err);
      }
    }
  }
}

/**
 * The collection model hooks (docs/hooks.md §2, PocketBase's OnCollection*):
 * around every create, update and delete of a collection — from the collections
 * API, an import or app code — inside the schema change's transaction, and after
 * it committed or failed. `A` is the app facade handed to handlers.
 */
import { Hook, type HookEvent } from '../../tools/hook.js';
import type { Collection } from './collection.js';

/** The event of a collection model hook: the collection being saved or deleted, inside its transaction. */
export interface CollectionModelEvent<A = unknown> extends HookEvent {
  /** The app, bound to the schema change's transaction inside create/update/delete/validate hooks. */
  app: A;
  /** The collection as it will be stored; a handler may change it before `e.next()`. */
  collection: Collection;
}

/** The event of an after-error hook: the change rolled back because of `error`. */
export interface CollectionErrorEvent<A = unknown> extends CollectionModelEvent<A> {
  error: unknown;
}

/** What happened to a collection. */
export type CollectionAction = 'create' | 'update' | 'delete';

/** Every collection model hook, one Hook each; tags are collection names or ids. */
export class CollectionHooks<A = unknown> {
  readonly onCollectionValidate = new Hook<CollectionModelEvent<A>>();
  readonly onCollectionCreate = new Hook<CollectionModelEvent<A>>();
  readonly onCollectionUpdate = new Hook<CollectionModelEvent<A>>();
  readonly onCollectionDelete = new Hook<CollectionModelEvent<A>>();
  readonly onCollectionAfterCreateSuccess = new Hook<CollectionModelEvent<A>>();
  readonly onCollectionAfterUpdateSuccess = new Hook<CollectionModelEvent<A>>();
  readonly onCollectionAfterDeleteSuccess = new Hook<CollectionModelEvent<A>>();
  readonly onCollectionAfterCreateError = new Hook<CollectionErrorEvent<A>>();
  readonly onCollectionAfterUpdateError = new Hook<CollectionErrorEvent<A>>();
  readonly onCollectionAfterDeleteError = new Hook<CollectionErrorEvent<A>>();

  /** The app a handler of a change in `scope`'s transaction gets (undefined: after it ended); set by the composition root. */
  appFor: (scope: unknown) => A = () => undefined as A;

  /** The hook around the action itself. */
  around(action: CollectionAction): Hook<CollectionModelEvent<A>> {
    if (action === 'create') return this.onCollectionCreate;
    return action === 'update' ? this.onCollectionUpdate : this.onCollectionDelete;
  }

  /** The hook run after the action committed. */
  success(action: CollectionAction): Hook<CollectionModelEvent<A>> {
    if (action === 'create') return this.onCollectionAfterCreateSuccess;
    return action === 'update' ? this.onCollectionAfterUpdateSuccess : this.onCollectionAfterDeleteSuccess;
  }

  /** The hook run after the action's transaction failed. */
  failure(action: CollectionAction): Hook<CollectionErrorEvent<A>> {
    if (action === 'create') return this.onCollectionAfterCreateError;
    return action === 'update' ? this.onCollectionAfterUpdateError : this.onCollectionAfterDeleteError;
  }
}

/** The tags a collection event carries: its id and name. */
export function collectionEventTags(c: Collection): string[] {
  return [c.id, c.name];
}

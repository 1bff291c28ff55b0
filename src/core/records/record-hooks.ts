/**
 * The record model hooks (docs/hooks.md §2): around every write of a record —
 * from the API, a batch, app code or a cascade — inside the write's transaction,
 * and after it committed or failed. `A` is the app facade handed to handlers,
 * bound to the write's transaction.
 */
import { Hook, type HookEvent } from '../../tools/hook.js';
import type { Collection } from '../collections/collection.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RecordModel } from './record-model.js';

/** The event of a model hook: the record being written, inside its transaction. */
export interface RecordModelEvent<A = unknown> extends HookEvent {
  /** The app, bound to the write's transaction: what a handler reads and writes joins the write. */
  app: A;
  record: RecordModel;
  collection: Collection;
}

/** The event of an after-error hook: the write rolled back because of `error`. */
export interface RecordErrorEvent<A = unknown> extends RecordModelEvent<A> {
  error: unknown;
}

/** The event of `onRecordEnrich`: a record about to be serialized for one requester. */
export interface RecordEnrichEvent<A = unknown> extends HookEvent {
  app: A;
  record: RecordModel;
  collection: Collection;
  /** Who the record is serialized for (the same object rules see). */
  requestInfo: RequestInfo;
}

/** Every record model hook, one Hook each. */
export class RecordHooks<A = unknown> {
  readonly onRecordValidate = new Hook<RecordModelEvent<A>>();
  readonly onRecordCreate = new Hook<RecordModelEvent<A>>();
  readonly onRecordUpdate = new Hook<RecordModelEvent<A>>();
  readonly onRecordDelete = new Hook<RecordModelEvent<A>>();
  readonly onRecordAfterCreateSuccess = new Hook<RecordModelEvent<A>>();
  readonly onRecordAfterUpdateSuccess = new Hook<RecordModelEvent<A>>();
  readonly onRecordAfterDeleteSuccess = new Hook<RecordModelEvent<A>>();
  readonly onRecordAfterCreateError = new Hook<RecordErrorEvent<A>>();
  readonly onRecordAfterUpdateError = new Hook<RecordErrorEvent<A>>();
  readonly onRecordAfterDeleteError = new Hook<RecordErrorEvent<A>>();
  readonly onRecordEnrich = new Hook<RecordEnrichEvent<A>>();

  /** The app a handler of a write in `trx`'s transaction gets; set by the composition root. */
  appFor: (scope: unknown) => A = () => undefined as A;

  /** Whether no write hook is bound: writes then run their stages directly (the fast path). */
  get quiet(): boolean {
    return this.onRecordValidate.isEmpty && this.onRecordCreate.isEmpty && this.onRecordUpdate.isEmpty && this.onRecordDelete.isEmpty
      && this.onRecordAfterCreateSuccess.isEmpty && this.onRecordAfterUpdateSuccess.isEmpty && this.onRecordAfterDeleteSuccess.isEmpty
      && this.onRecordAfterCreateError.isEmpty && this.onRecordAfterUpdateError.isEmpty && this.onRecordAfterDeleteError.isEmpty;
  }
}

/** The tags a record event carries: its collection's id and name. */
export function collectionTags(c: Collection): string[] {
  return [c.id, c.name];
}

/**
 * The RecordOutbox is where the write pipeline hands record changes that must leave the
 * process durably (webhooks, brokers): it writes them into the write's own transaction, so
 * nothing is sent for a write that rolls back (docs/webhooks.md §4).
 */
import type { Collection } from '../collections/collection.js';
import type { RecordValues } from './record-store.js';
import type { RecordAction, WriteScope } from './write-scope.js';

/** One change of one record, as the outbox sees it. */
export interface RecordChange {
  action: RecordAction;
  collection: Collection;
  /** The record as written (create, update) or as it was (delete). */
  record: RecordValues;
  /** The record before an update. */
  oldRecord?: RecordValues;
}

/** A RecordOutbox captures record changes inside their transaction. */
export interface RecordOutbox {
  /**
   * Whether anything subscribes to this action on this collection: checked in memory
   * before any other work, so a write nobody subscribes to costs nothing more.
   */
  wants(collection: Collection, action: RecordAction): boolean;
  /**
   * Enqueues what the change matches, in `scope`'s transaction. Create and update run after
   * the row is written; delete before the row is gone, so filters see the stored row.
   */
  capture(scope: WriteScope, change: RecordChange): Promise<void>;
}

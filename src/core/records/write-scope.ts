/**
 * A WriteScope is one database transaction and what must happen once it ends:
 * record events leave only after commit (docs/architecture.md §3), files written for a write
 * that rolls back are removed. A batch runs many record writes in one scope.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Executor } from '../../db/database.js';
import type { Collection } from '../collections/collection.js';
import type { RecordValues } from './record-store.js';

/** What happened to a record. */
export type RecordAction = 'create' | 'update' | 'delete';

/** A committed change of one record: deletes carry the record as it was. */
export interface RecordEvent {
  action: RecordAction;
  collection: Collection;
  record: RecordValues;
}

/** A RecordEventSink receives the events of each committed transaction, in order. */
export interface RecordEventSink {
  /** Called once per commit with that transaction's events; must not throw. */
  publish(events: readonly RecordEvent[]): void;
}

type Hook = () => void | Promise<void>;
type RollbackHook = (error: unknown) => void | Promise<void>;

/** WriteScope collects a transaction's events and end-of-transaction work. */
export class WriteScope {
  readonly events: RecordEvent[] = [];
  private readonly commitHooks: Hook[] = [];
  private readonly rollbackHooks: RollbackHook[] = [];

  constructor(readonly trx: Executor) {}

  /** Records an event, published after commit. */
  emit(event: RecordEvent): void {
    this.events.push(event);
  }

  /** Runs `fn` after the transaction commits (e.g. delete replaced files). */
  afterCommit(fn: Hook): void {
    this.commitHooks.push(fn);
  }

  /** Runs `fn` with the cause after the transaction rolls back (e.g. delete files written for it). */
  afterRollback(fn: RollbackHook): void {
    this.rollbackHooks.push(fn);
  }

  /** Runs the hooks of how the transaction ended; hook failures are reported, not thrown. */
  async finish(committed: boolean, onHookError: (err: unknown) => void, error?: unknown): Promise<void> {
    for (const hook of committed ? this.commitHooks : this.rollbackHooks) {
      try {
        await hook(error);
      } catch (err) {
        onHookError(err);
      }
    }
  }
}

/** The transaction open on an async path, and the database it belongs to. */
interface ActiveScope {
  db: Db;
  scope: WriteScope;
  /** False once the transaction ended: work it left running falls back to the database. */
  open: boolean;
}

/**
 * The transaction app code runs inside, per async path (docs/hooks.md §4). Entered only
 * by runInScope with `track`, so a node without app code never enables it.
 *
 * NOTE: while enabled, Node 20's AsyncLocalStorage makes every promise of the process
 * dearer (an `await` about 110 → 200-270 ns); `disable()` undoes that. So it is enabled
 * only while a tracked transaction is open, which costs about 1.5 µs per transaction.
 */
const activeScopes = new AsyncLocalStorage<ActiveScope>();
/** Tracked transactions open now; the storage is disabled again when none is. */
let tracked = 0;

/**
 * The open transaction of `db` that the current async path runs inside (a hook of a
 * write, or `runInTransaction`'s function), if any: app code that reaches for the
 * outer app there joins it instead of waiting for it.
 */
export function activeScope(db: Db): WriteScope | undefined {
  const active = activeScopes.getStore();
  return active && active.open && active.db === db ? active.scope : undefined;
}

/**
 * Runs `fn` in a new transaction; on commit publishes its events, on either end runs its hooks.
 * With `track` (app code may run inside) the scope is the active one of `fn`'s async path.
 * `on` opens the transaction when given (an executor over `db` with a deadline, QueryDeadlines);
 * app code still finds it as `db`'s.
 */
export async function runInScope<T>(
  db: Db, fn: (scope: WriteScope) => Promise<T>, sink: RecordEventSink | undefined, onHookError: (err: unknown) => void, track = false, on: Executor = db,
): Promise<T> {
  let scope: WriteScope | undefined;
  let active: ActiveScope | undefined;
  let result: T;
  if (track) tracked++;
  const ended = (): void => {
    if (active) active.open = false;
    if (track && --tracked === 0) activeScopes.disable();
  };
  try {
    result = await on.transaction().execute(async (trx) => {
      scope = new WriteScope(trx);
      if (!track) return fn(scope);
      active = { db, scope, open: true };
      return activeScopes.run(active, fn, scope);
    });
  } catch (err) {
    ended();
    await scope?.finish(false, onHookError, err);
    throw err;
  }
  ended();
  if (scope) {
    if (scope.events.length > 0) sink?.publish(scope.events);
    await scope.finish(true, onHookError);
  }
  return result;
}

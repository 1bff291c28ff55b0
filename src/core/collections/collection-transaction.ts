/**
 * The CollectionTransaction runs each schema change in a transaction of its own, or in a
 * savepoint of a joined one (a migration's, see CollectionService.within), and does what
 * follows it: reload the schema, announce the change, run the after hooks — at once, or
 * when the joined transaction ends.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { isServiceUnavailable, unavailable } from '../../errors/service-unavailable.js';
import { WriteScope } from '../records/write-scope.js';
import type { CollectionChange, CollectionHookRunner } from './collection-hook-runner.js';
import type { CollectionStore } from './collection-store.js';
import type { MemorySchema } from './schema.js';
import type { SchemaDdl } from './schema-ddl.js';

/** What a CollectionTransaction needs. */
export interface CollectionTransactionDeps {
  db: Db;
  ddl: SchemaDdl;
  schema: MemorySchema;
  /** Called, and awaited, after a schema change commits (cache invalidation, other nodes). */
  onChange?(): void | Promise<void>;
  /**
   * Runs a schema change in a transaction whose record writes publish their events and
   * after-hooks once it commits (RecordService.inTransaction); a plain transaction without.
   */
  transaction?<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T>;
}

/** A schema change: runs in `scope`, noting in `changes` what it did for the after hooks. */
export type CollectionWork<T> = (scope: WriteScope, changes: CollectionChange[]) => Promise<T>;

/** CollectionTransaction runs schema changes and settles the schema after them. */
export class CollectionTransaction {
  /** @param joined the open transaction the changes join; undefined: each runs in its own. */
  constructor(
    private readonly deps: CollectionTransactionDeps,
    private readonly store: CollectionStore,
    private readonly hooks: CollectionHookRunner,
    private readonly joined?: WriteScope,
  ) {}

  /** Reads every collection from the database (the joined transaction, if any) into the schema. */
  async reload(): Promise<void> {
    this.deps.schema.replaceAll(await this.store.load(this.joined?.trx ?? this.deps.db));
  }

  /**
   * Ends the schema changes made in a joined transaction: reloads the schema once it
   * ended and, when it committed, announces the change.
   */
  async settle(committed: boolean): Promise<void> {
    await this.reload();
    if (committed) await this.deps.onChange?.();
  }

  /**
   * Runs `work` as one schema change. On success the schema is reloaded and the change
   * announced; on failure the schema is put back, the after-error hooks run, and what
   * `failed` makes of the error is thrown (a database that is down is always a 503).
   */
  async run<T>(work: CollectionWork<T>, failed: (err: unknown) => unknown): Promise<T> {
    const changes: CollectionChange[] = [];
    let result: T;
    try {
      result = await this.transact((scope) => work(scope, changes));
    } catch (err) {
      // A database that is down is not the superuser's mistake: 503, not a failed change.
      if (isServiceUnavailable(err)) {
        await this.hooks.afterFailure(changes, err);
        throw unavailable(err);
      }
      await this.reloadAfterRollback();
      await this.hooks.afterFailure(changes, err);
      throw failed(err);
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

  /** A transaction for a schema change: the record writes in it publish after commit when the deps allow. */
  private inTransaction<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    if (this.deps.transaction) return this.deps.transaction(fn);
    return this.deps.db.transaction().execute((trx) => fn(new WriteScope(trx)));
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

  /**
   * Runs the after-success hooks of `changes` now, or, in a joined transaction, once it
   * commits (the after-error hooks when it rolls back instead).
   */
  private async succeeded(changes: readonly CollectionChange[]): Promise<void> {
    if (!this.joined) return this.hooks.afterSuccess(changes);
    this.hooks.afterEnd(this.joined, changes);
  }
}

/** A database error's message, kept to one safe line for the superuser who made the change. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 300);
}

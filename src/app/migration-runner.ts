/**
 * The MigrationRunner applies and reverts the files of the migrations folder
 * (docs/migrations.md), as PocketBase's MigrationsRunner: the pending files in
 * name order, all in one transaction, each recorded in `_migrations`; on several
 * nodes one applies them while the others wait (the start-up lock), then find
 * them applied.
 */
import type { CollectionService } from '../core/collections/collection-service.js';
import type { Schema } from '../core/collections/schema.js';
import { migrationApp } from './migration-app.js';
import { MigrationError } from './migration-error.js';
import { appliedTime, forgetApplied, readHistory, recordApplied, type AppliedMigration } from './migration-history.js';
import { listMigrationFiles, loadMigrations, type Migration, type ModuleLoader } from './migration-files.js';
import type { PlinthApp } from './plinth-app.js';

/** What the runner needs. */
export interface MigrationRunnerDeps {
  /** The migrations folder (absolute). */
  dir: string;
  app: PlinthApp;
  collections: CollectionService;
  schema: Schema;
  /** Runs `fn` while no other node runs a start-up section on the database. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Tells the other nodes that the schema changed. */
  announceSchema(): Promise<void>;
  /** How files are loaded; by default the hooks' TypeScript loader. */
  load?: ModuleLoader;
}

/** MigrationRunner runs the migrations of one folder against one node's database. */
export class MigrationRunner {
  constructor(private readonly deps: MigrationRunnerDeps) {}

  /** Applies every file not applied yet, in name order, in one transaction; resolves with their names. */
  async up(): Promise<string[]> {
    return this.deps.exclusive(async () => {
      const applied = new Set((await this.history()).map((m) => m.file));
      const pending = (await listMigrationFiles(this.deps.dir)).filter((file) => !applied.has(file));
      // Another node may have applied them while this one waited for the lock: its schema
      // was read before, and no announcement reaches a node that is not listening yet.
      if (pending.length === 0) await this.deps.collections.reload();
      const migrations = await this.load(pending);
      await this.inTransaction(migrations, 'apply', async (tx, m) => {
        await m.up(tx);
        await recordApplied(tx.db(), m.file, appliedTime());
      });
      return pending;
    });
  }

  /**
   * Reverts the last `count` applied migrations whose file is still in the folder,
   * latest first, in one transaction; resolves with their names.
   */
  async down(count: number): Promise<string[]> {
    return this.deps.exclusive(async () => {
      const present = new Set(await listMigrationFiles(this.deps.dir));
      // The history is oldest first.
      const last = (await this.history()).filter((m) => present.has(m.file)).reverse().slice(0, count).map((m) => m.file);
      const migrations = await this.load(last);
      await this.inTransaction(migrations, 'revert', async (tx, m) => {
        await m.down?.(tx);
        await forgetApplied(tx.db(), m.file);
      });
      return last;
    });
  }

  /** Forgets the applied migrations whose file is gone from the folder; resolves with their names. */
  async historySync(): Promise<string[]> {
    return this.deps.exclusive(async () => {
      const present = new Set(await listMigrationFiles(this.deps.dir));
      const gone = (await this.history()).filter((m) => !present.has(m.file)).map((m) => m.file);
      for (const file of gone) await forgetApplied(this.deps.app.db(), file);
      return gone;
    });
  }

  /** The applied migrations, oldest first. */
  history(): Promise<AppliedMigration[]> {
    return readHistory(this.deps.app.db());
  }

  /** Records a file as applied without running it: it describes the database as it is (a snapshot). */
  async markApplied(file: string): Promise<void> {
    await recordApplied(this.deps.app.db(), file, appliedTime());
  }

  private load(files: readonly string[]): Promise<Migration[]> {
    return files.length === 0 ? Promise.resolve([]) : loadMigrations(this.deps.dir, files, this.deps.load);
  }

  /**
   * Runs `step` for each migration in one transaction; the first failure rolls all of
   * them back and becomes a MigrationError naming its file. The schema follows: reloaded
   * from the database after a rollback, announced to the other nodes after a commit.
   */
  private async inTransaction(migrations: readonly Migration[], what: 'apply' | 'revert', step: (tx: PlinthApp, m: Migration) => Promise<void>): Promise<void> {
    if (migrations.length === 0) return;
    let current: Migration | undefined;
    try {
      await this.deps.app.runInTransaction(async (bound) => {
        const tx = migrationApp(bound, this.deps);
        for (const m of migrations) {
          current = m;
          await step(tx, m);
        }
      });
    } catch (err) {
      await this.deps.collections.reload();
      throw current ? MigrationError.of(current.file, what, err, current.locate(err)) : err;
    }
    await this.deps.collections.reload();
    await this.deps.announceSchema();
  }
}

/**
 * The BackupService (docs/operations.md, Backups) creates, stores, restores and
 * removes backup archives, one operation at a time per node, and runs the
 * scheduled backup of `settings.backups.cron` as the system cron `__pbAutoBackup__`,
 * keeping the newest `cronMaxKeep` scheduled ones.
 */
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { badRequest, isAppError, type ErrorData } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import type { Db } from '../../db/database.js';
import type { Collection } from '../collections/collection.js';
import type { SchemaDdl } from '../collections/schema-ddl.js';
import type { CronScheduler } from '../jobs/cron-scheduler.js';
import type { Settings } from '../settings/settings.js';
import { writeBackupArchive } from './backup-archive.js';
import { InvalidBackupError, restoreBackupArchive } from './backup-restore.js';
import type { BackupLock } from './backup-lock.js';
import { isValidBackupKey, isValidBackupName, type BackupInfo, type BackupStore } from './backup-store.js';
import type { SnapshotReader } from './table-snapshot.js';

/** The id of the scheduled backup's cron, as PocketBase's. */
export const AUTO_BACKUP_CRON = '__pbAutoBackup__';
/** The name prefix of scheduled backups. */
export const AUTO_BACKUP_PREFIX = '@auto_pb_backup_';

const BUSY = 'Try again later - another backup/restore operation has already been started.';

/** What the service needs. */
export interface BackupServiceDeps {
  store: BackupStore;
  /** Keeps backups and restores of all nodes one at a time. */
  lock: BackupLock;
  snapshots: SnapshotReader;
  /** The engine's name, written in the manifest. */
  engine: string;
  /** The data directory: its `storage` folder is backed up, its `.tmp` folder stages a restore. */
  dir: string;
  db: Db;
  ddl: SchemaDdl;
  collections(): readonly Collection[];
  settings(): Settings;
  /** After a restore committed: reload what the node holds in memory and tell the other nodes. */
  afterRestore(): Promise<void>;
  onError(err: unknown, what: string): void;
  now?: () => Date;
}

/** Backups of one node. */
export class BackupService {
  /** The key of the backup being created or restored, while one is. */
  private active: string | undefined;

  constructor(private readonly deps: BackupServiceDeps) {}

  /** Whether a backup or restore is running on this node. */
  get busy(): boolean {
    return this.active !== undefined;
  }

  /** Whether a backup or restore is running on this node or any other (`canBackup`). */
  async isBusy(): Promise<boolean> {
    return this.busy || await this.deps.lock.held();
  }

  list(): Promise<BackupInfo[]> {
    return this.deps.store.list();
  }

  /** Creates a backup named `name` (or a generated name); 400 for a bad or taken name, or while another runs. */
  async create(name?: string): Promise<string> {
    if (this.active) throw badRequest(BUSY);
    const key = name ?? this.generatedName('');
    if (name !== undefined) await this.assertNewName(name, isValidBackupName(name));
    return this.exclusive(key, () => this.write(key));
  }

  /** Stores an uploaded archive (the file at `path`) under `name`; 400 for a bad or taken name. */
  async upload(name: string, path: string): Promise<void> {
    await this.assertNewName(name, isValidBackupKey(name), 'file');
    await this.deps.store.putFile(name, path);
  }

  /** Streams a backup; null when there is none. */
  async read(key: string): Promise<{ stream: Readable; size: number } | null> {
    if (!isValidBackupKey(key)) return null;
    const info = await this.deps.store.stat(key);
    const stream = info ? await this.deps.store.read(key) : null;
    return info && stream ? { stream, size: info.size } : null;
  }

  /** Deletes a backup; 400 when missing or in use. */
  async delete(key: string): Promise<void> {
    if (this.active === key) throw badRequest('The backup is currently being used and cannot be deleted.');
    if (!isValidBackupKey(key) || !(await this.deps.store.delete(key))) throw badRequest('Invalid or already deleted backup file.');
  }

  /** Replaces the data and files with the backup's and reloads them; 400 for a missing or invalid backup. */
  async restore(key: string): Promise<void> {
    if (this.active) throw badRequest(BUSY);
    const copy = isValidBackupKey(key) ? await this.deps.store.localCopy(key) : null;
    if (!copy) throw badRequest('Missing or invalid backup file.');
    try {
      await this.exclusive(key, async () => {
        try {
          await restoreBackupArchive(copy.path, {
            db: this.deps.db, ddl: this.deps.ddl, current: this.deps.collections(),
            storageDir: join(this.deps.dir, 'storage'), tmpDir: join(this.deps.dir, '.tmp'),
          });
        } catch (err) {
          if (err instanceof InvalidBackupError) throw badRequest(`Failed to restore backup: ${err.message}.`, {}, err);
          throw badRequest('Failed to restore backup.', {}, err);
        }
        await this.deps.afterRestore();
      });
    } finally {
      await copy.release();
    }
  }

  /** Closes the store's connections (at shutdown). */
  close(): void {
    this.deps.store.close?.();
  }

  /** Adds, replaces or removes the `__pbAutoBackup__` cron after the settings. */
  schedule(crons: CronScheduler): void {
    const { cron } = this.deps.settings().backups;
    if (cron === '') return crons.remove(AUTO_BACKUP_CRON);
    crons.add(AUTO_BACKUP_CRON, cron, () => this.scheduled());
  }

  /** One scheduled backup, then the oldest scheduled ones beyond `cronMaxKeep` go. */
  async scheduled(): Promise<void> {
    const key = this.generatedName(AUTO_BACKUP_PREFIX);
    await this.exclusive(key, () => this.write(key)).catch((err: unknown) => {
      // A tick while another backup or restore runs is skipped, as PocketBase skips it.
      if (!(isAppError(err) && err.message === BUSY)) throw err;
    });
    const keep = this.deps.settings().backups.cronMaxKeep;
    const auto = (await this.deps.store.list()).filter((b) => b.key.startsWith(AUTO_BACKUP_PREFIX));
    for (const old of auto.slice(Math.max(keep, 0))) await this.deps.store.delete(old.key);
  }

  /** A new name: `<prefix><app name in snake case>_<UTC yyyyMMddHHmmss>.zip`, as PocketBase's. */
  generatedName(prefix: string): string {
    const app = snakeCase(this.deps.settings().meta.appName).slice(0, 50) || 'plinth';
    const stamp = this.now().toISOString().slice(0, 19).replace(/[-T:]/g, '');
    return `${prefix}${app}_${stamp}.zip`;
  }

  private async write(key: string): Promise<string> {
    const writer = await this.deps.store.create(key);
    try {
      await this.deps.snapshots((snapshot) => writeBackupArchive(writer.stream, {
        snapshot, storageDir: join(this.deps.dir, 'storage'), engine: this.deps.engine, now: this.now(),
      }));
      await writer.commit();
    } catch (err) {
      await writer.abort().catch(() => undefined);
      this.deps.onError(err, `backup ${key}`);
      throw badRequest('Failed to create backup.', {}, err);
    }
    return key;
  }

  private async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.active) throw badRequest(BUSY);
    this.active = key;
    try {
      const ran = await this.deps.lock.tryRun(fn);
      if (!ran) throw badRequest(BUSY);
      return ran.value;
    } finally {
      this.active = undefined;
    }
  }

  private async assertNewName(name: string, valid: boolean, field = 'name'): Promise<void> {
    const errors: ErrorData = {};
    if (!valid) errors[field] = codeError('validation_match_invalid');
    else if (await this.deps.store.stat(name)) errors[field] = codeError('validation_backup_name_exists');
    if (Object.keys(errors).length > 0) throw badRequest('An error occurred while validating the submitted data.', errors);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** `My App!` → `my_app`: lower-case letters and digits, runs of anything else as one `_`. */
function snakeCase(text: string): string {
  let out = '';
  for (const ch of text.toLowerCase()) {
    const word = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (word) out += ch;
    else if (out !== '' && !out.endsWith('_')) out += '_';
  }
  return out.endsWith('_') ? out.slice(0, -1) : out;
}

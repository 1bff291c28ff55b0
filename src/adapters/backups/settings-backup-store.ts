/**
 * SettingsBackupStore is the BackupStore the settings name (docs/operations.md, "Backups
 * on S3"): the local `<dir>/backups` folder while `settings.backups.s3.enabled` is false,
 * the bucket of `settings.backups.s3` while it is true. Each call asks the settings
 * afresh, so a change saved on any node takes effect on the next call; archives are not
 * moved when it switches (PocketBase does not move them either). The S3 modules load on
 * first use.
 */
import type { Readable } from 'node:stream';
import type { BackupInfo, BackupStore, BackupWriter } from '../../core/backups/backup-store.js';
import type { S3Settings } from '../../core/settings/settings.js';
import type { S3BackupStore } from './s3-backup-store.js';

/** How long a replaced S3 client stays open for the downloads still streaming from it. */
const RETIRE_AFTER_MS = 10 * 60_000;

/** A BackupStore that follows `settings.backups.s3`. */
export class SettingsBackupStore implements BackupStore {
  private s3: { fingerprint: string; store: S3BackupStore } | undefined;
  private readonly retiring = new Set<S3BackupStore>();

  /** `tmpDir` holds the local copies a restore from S3 reads. */
  constructor(private readonly local: BackupStore, private readonly settings: () => S3Settings, private readonly tmpDir: string) {}

  /** The store the current settings name. */
  async current(): Promise<BackupStore> {
    if (!this.settings().enabled) return this.local;
    const { S3BackupStore } = await import('./s3-backup-store.js');
    // Read again after the await, and from here on synchronously, so concurrent calls agree.
    const settings = this.settings();
    if (!settings.enabled) return this.local;
    const fingerprint = JSON.stringify([settings.bucket, settings.region, settings.endpoint, settings.accessKey, settings.secret, settings.forcePathStyle]);
    if (this.s3?.fingerprint !== fingerprint) {
      if (this.s3) this.retire(this.s3.store);
      this.s3 = { fingerprint, store: new S3BackupStore(settings, this.tmpDir) };
    }
    return this.s3.store;
  }

  async list(): Promise<BackupInfo[]> {
    return (await this.current()).list();
  }

  async stat(key: string): Promise<BackupInfo | null> {
    return (await this.current()).stat(key);
  }

  async create(key: string): Promise<BackupWriter> {
    return (await this.current()).create(key);
  }

  async putFile(key: string, path: string): Promise<void> {
    return (await this.current()).putFile(key, path);
  }

  async read(key: string): Promise<Readable | null> {
    return (await this.current()).read(key);
  }

  async localCopy(key: string): Promise<{ path: string; release(): Promise<void> } | null> {
    return (await this.current()).localCopy(key);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.current()).delete(key);
  }

  /** Closes every S3 client (at shutdown). */
  close(): void {
    this.s3?.store.destroy();
    this.s3 = undefined;
    for (const store of this.retiring) store.destroy();
    this.retiring.clear();
  }

  private retire(store: S3BackupStore): void {
    this.retiring.add(store);
    setTimeout(() => {
      this.retiring.delete(store);
      store.destroy();
    }, RETIRE_AFTER_MS).unref();
  }
}

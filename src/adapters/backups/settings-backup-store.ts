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
import { S3ClientSlot } from '../storage/s3-client-slot.js';
import type { S3BackupStore } from './s3-backup-store.js';

/** A BackupStore that follows `settings.backups.s3`. */
export class SettingsBackupStore implements BackupStore {
  private readonly s3 = new S3ClientSlot<S3BackupStore>();

  /** `tmpDir` holds the local copies a restore from S3 reads. */
  constructor(private readonly local: BackupStore, private readonly settings: () => S3Settings, private readonly tmpDir: string) {}

  /** The store the current settings name. */
  async current(): Promise<BackupStore> {
    if (!this.settings().enabled) return this.local;
    const { S3BackupStore } = await import('./s3-backup-store.js');
    // Read again after the await, and from here on synchronously, so concurrent calls agree.
    const settings = this.settings();
    if (!settings.enabled) return this.local;
    return this.s3.get(settings, (s) => new S3BackupStore(s, this.tmpDir));
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
    this.s3.close();
  }

}

/**
 * SettingsStorage is the Storage the settings name (docs/operations.md, "S3 storage"): the
 * local directory while `settings.s3.enabled` is false, the S3 bucket of `settings.s3`
 * while it is true. Each call asks the settings afresh, so a change — saved on this
 * node or reloaded after another node saved it — takes effect on the next call. Files
 * are not moved when it switches (PocketBase does not migrate them either). The S3
 * SDK loads on first use, so a node that never enables S3 never pays for it.
 */
import type { Readable } from 'node:stream';
import type { ByteRange, Storage, StoredObject } from '../../core/files/storage.js';
import type { S3Settings } from '../../core/settings/settings.js';
import { S3ClientSlot } from './s3-client-slot.js';
import type { S3Storage } from './s3-storage.js';

/** A Storage that follows `settings.s3`. */
export class SettingsStorage implements Storage {
  private readonly s3 = new S3ClientSlot<S3Storage>();

  constructor(private readonly local: Storage, private readonly settings: () => S3Settings) {}

  /** The store the current settings name. */
  async current(): Promise<Storage> {
    if (!this.settings().enabled) return this.local;
    const { S3Storage } = await import('./s3-storage.js');
    // Read again after the await, and from here on synchronously, so concurrent calls agree.
    const settings = this.settings();
    if (!settings.enabled) return this.local;
    return this.s3.get(settings, (s) => new S3Storage(s));
  }

  async put(key: string, data: Buffer, meta: { contentType: string }): Promise<void> {
    return (await this.current()).put(key, data, meta);
  }

  async putFile(key: string, path: string, meta: { contentType: string }): Promise<void> {
    return (await this.current()).putFile(key, path, meta);
  }

  async stat(key: string): Promise<StoredObject | null> {
    return (await this.current()).stat(key);
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    return (await this.current()).read(key, range);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.current()).exists(key);
  }

  async delete(key: string): Promise<void> {
    return (await this.current()).delete(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    return (await this.current()).deletePrefix(prefix);
  }

  /** Closes every S3 client (at shutdown). */
  close(): void {
    this.s3.close();
  }

}

/**
 * The one S3-backed store a settings-following adapter uses (docs/operations.md, "S3
 * storage" and "Backups on S3"): kept while the S3 settings stay the same, replaced when
 * they change. A replaced store is closed only after RETIRE_AFTER_MS, so the reads still
 * streaming from it finish.
 */
import type { S3Settings } from '../../core/settings/settings.js';

/** How long a replaced S3 client stays open for the reads still streaming from it. */
const RETIRE_AFTER_MS = 10 * 60_000;

/** What the slot holds: anything with a client to close. */
export interface Destroyable {
  destroy(): void;
}

export class S3ClientSlot<T extends Destroyable> {
  private held: { settings: S3Settings; fingerprint: string; store: T } | undefined;
  private readonly retiring = new Set<T>();

  /** The store for `settings`: the one held while the S3 fields are unchanged, else a new one made by `create`. */
  get(settings: S3Settings, create: (settings: S3Settings) => T): T {
    if (this.held?.settings === settings) return this.held.store;
    // A new settings object (any setting changed): a new client only if the S3 fields did.
    const fingerprint = JSON.stringify([settings.bucket, settings.region, settings.endpoint, settings.accessKey, settings.secret, settings.forcePathStyle]);
    if (this.held?.fingerprint !== fingerprint) {
      if (this.held) this.retire(this.held.store);
      this.held = { settings, fingerprint, store: create(settings) };
    }
    this.held.settings = settings;
    return this.held.store;
  }

  /** Closes every client, the held one and the retiring ones (at shutdown). */
  close(): void {
    this.held?.store.destroy();
    this.held = undefined;
    for (const store of this.retiring) store.destroy();
    this.retiring.clear();
  }

  private retire(store: T): void {
    this.retiring.add(store);
    setTimeout(() => {
      this.retiring.delete(store);
      store.destroy();
    }, RETIRE_AFTER_MS).unref();
  }
}

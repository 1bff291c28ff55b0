/**
 * The BackupStore port (docs/operations.md, Backups): where backup archives live. A
 * local folder (`<dir>/backups`) or an S3-compatible bucket (`settings.backups.s3`). Keys are single file names checked by isValidBackupKey, so no key can name
 * anything outside the store whatever the implementation.
 */
import type { Readable, Writable } from 'node:stream';

/** One stored backup, as `GET /api/backups` lists it. */
export interface BackupInfo {
  key: string;
  size: number;
  modified: Date;
}

/** An archive being written: `commit` makes it visible under its key, `abort` drops it. */
export interface BackupWriter {
  stream: Writable;
  /** Publishes the finished archive (after `stream` finished); until then no list shows it. */
  commit(): Promise<void>;
  /** Drops the unfinished archive; safe after a failure of any step. */
  abort(): Promise<void>;
}

/** A BackupStore keeps backup archives under validated keys. */
export interface BackupStore {
  /** Every finished backup, newest first. */
  list(): Promise<BackupInfo[]>;
  /** The backup under `key`, or null. */
  stat(key: string): Promise<BackupInfo | null>;
  /** Starts writing a new archive under `key`; readers see nothing until `commit`. */
  create(key: string): Promise<BackupWriter>;
  /** Stores the file at `path` (an uploaded archive) under `key`, taking it away. */
  putFile(key: string, path: string): Promise<void>;
  /** Streams the archive; null when there is none under `key`. */
  read(key: string): Promise<Readable | null>;
  /** A local file holding the archive for random access (zip reading), and how to release it. */
  localCopy(key: string): Promise<{ path: string; release(): Promise<void> } | null>;
  /** Deletes a backup; false when there was none. */
  delete(key: string): Promise<boolean>;
  /** Closes what the store holds open (an S3 client) at shutdown; none for a folder. */
  close?(): void;
}

/** The longest backup name, as PocketBase's. */
export const MAX_BACKUP_NAME = 150;

/**
 * Whether `name` may name a new backup (`POST /api/backups`), as PocketBase's
 * `^[a-z0-9_-]+\.zip$` of at most 150 characters; plain string code, no RegExp on request data.
 */
export function isValidBackupName(name: string): boolean {
  if (name.length > MAX_BACKUP_NAME || !name.endsWith('.zip') || name.length === 4) return false;
  for (const ch of name.slice(0, -4)) {
    const ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch === '_' || ch === '-';
    if (!ok) return false;
  }
  return true;
}

/**
 * Whether `key` may name a stored backup: a name as above, optionally after the `@auto_`
 * prefix of scheduled backups, or an uploaded archive's name of letters, digits, `_`, `-`,
 * `.` and `@` that does not start with a dot and ends with `.zip`.
 */
export function isValidBackupKey(key: string): boolean {
  if (key.length > MAX_BACKUP_NAME || !key.endsWith('.zip') || key.length === 4 || key.startsWith('.')) return false;
  for (const ch of key) {
    const ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === '_' || ch === '-' || ch === '.' || ch === '@';
    if (!ok) return false;
  }
  return true;
}

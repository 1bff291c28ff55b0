/**
 * LocalBackupStore keeps backup archives as files of one folder (`<dir>/backups`).
 * An archive is written under a `.partial-` name and renamed into place when it is
 * complete, so a backup killed half way is never listed; leftovers of a killed
 * process are removed when the store opens.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isValidBackupKey, type BackupInfo, type BackupStore, type BackupWriter } from '../../core/backups/backup-store.js';

const PARTIAL = '.partial-';

/** A BackupStore over a local folder. */
export class LocalBackupStore implements BackupStore {
  private constructor(private readonly root: string) {}

  /** Opens the folder (created when missing) and removes archives a killed process left unfinished. */
  static async open(root: string): Promise<LocalBackupStore> {
    await mkdir(root, { recursive: true });
    for (const name of await readdir(root)) {
      if (name.startsWith(PARTIAL)) await rm(join(root, name), { force: true });
    }
    return new LocalBackupStore(root);
  }

  async list(): Promise<BackupInfo[]> {
    const out: BackupInfo[] = [];
    for (const name of await readdir(this.root)) {
      if (!isValidBackupKey(name)) continue;
      const info = await this.stat(name);
      if (info) out.push(info);
    }
    return out.sort((a, b) => b.modified.getTime() - a.modified.getTime() || a.key.localeCompare(b.key));
  }

  async stat(key: string): Promise<BackupInfo | null> {
    try {
      const st = await stat(this.path(key));
      return st.isFile() ? { key, size: st.size, modified: st.mtime } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async create(key: string): Promise<BackupWriter> {
    const target = this.path(key);
    const partial = join(this.root, `${PARTIAL}${randomBytes(8).toString('hex')}`);
    const stream = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
    return {
      stream,
      commit: () => rename(partial, target),
      abort: async () => {
        // NOTE: a write still in flight fails once the stream is destroyed ("Cannot call write
        // after a stream was destroyed"), as an 'error' event that would be uncaught: it is moot.
        stream.on('error', () => undefined);
        stream.destroy();
        await rm(partial, { force: true });
      },
    };
  }

  async putFile(key: string, path: string): Promise<void> {
    const target = this.path(key);
    const partial = join(this.root, `${PARTIAL}${randomBytes(8).toString('hex')}`);
    try {
      await rename(path, partial);
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code !== 'EXDEV') throw err;
      await copyFile(path, partial);
      await rm(path, { force: true });
    }
    await rename(partial, target);
  }

  async read(key: string): Promise<Readable | null> {
    return (await this.stat(key)) ? createReadStream(this.path(key)) : null;
  }

  async localCopy(key: string): Promise<{ path: string; release(): Promise<void> } | null> {
    return (await this.stat(key)) ? { path: this.path(key), release: async () => undefined } : null;
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.stat(key))) return false;
    await rm(this.path(key), { force: true });
    return true;
  }

  private path(key: string): string {
    // SECURITY: a key is one plain file name (no separator, no leading dot), checked here for every implementation's caller.
    if (!isValidBackupKey(key)) throw new Error(`invalid backup key ${JSON.stringify(key.slice(0, 200))}`);
    return join(this.root, key);
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

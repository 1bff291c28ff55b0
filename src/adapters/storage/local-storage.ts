/**
 * LocalStorage keeps objects as files under one directory (`<dir>/storage`),
 * with each object's content type in a sidecar under `<root>/.attrs/`. Writes go
 * to `<root>/.tmp/` first and are renamed into place, so a reader never sees a
 * partial file.
 */
import { copyFile, mkdir, open, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertStorageKey, type ByteRange, type Storage, type StoredObject } from '../../core/files/storage.js';

const DEFAULT_TYPE = 'application/octet-stream';

/** A Storage over a local directory. */
export class LocalStorage implements Storage {
  private readonly attrsRoot: string;
  private readonly tmpRoot: string;

  constructor(private readonly root: string) {
    // Key segments never start with a dot, so these two can never collide with a key.
    this.attrsRoot = join(root, '.attrs');
    this.tmpRoot = join(root, '.tmp');
  }

  async put(key: string, data: Buffer, meta: { contentType: string }): Promise<void> {
    const target = this.path(key);
    await mkdir(this.tmpRoot, { recursive: true });
    const tmp = join(this.tmpRoot, randomBytes(12).toString('hex'));
    await writeFile(tmp, data);
    await this.placeTmp(key, target, tmp, meta);
  }

  async putFile(key: string, path: string, meta: { contentType: string }): Promise<void> {
    const target = this.path(key);
    await mkdir(this.tmpRoot, { recursive: true });
    const tmp = join(this.tmpRoot, randomBytes(12).toString('hex'));
    try {
      // One rename when the upload's folder is on the store's file system (the default
      // layout, both under the data directory); a copy across file systems.
      await rename(path, tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code !== 'EXDEV') throw err;
      await copyFile(path, tmp);
      await rm(path, { force: true });
    }
    await this.placeTmp(key, target, tmp, meta);
  }

  /** Writes the sidecar and renames `tmp` into place; `tmp` is removed on failure. */
  private async placeTmp(key: string, target: string, tmp: string, meta: { contentType: string }): Promise<void> {
    try {
      const attrs = this.attrsPath(key);
      await mkdir(dirname(attrs), { recursive: true });
      await writeFile(attrs, JSON.stringify({ contentType: meta.contentType || DEFAULT_TYPE }));
      await this.moveInto(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    const path = this.path(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { size: info.size, modified: info.mtime, contentType: await this.contentType(key) };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    const path = this.path(key);
    try {
      // Opening first turns a missing file into null instead of a stream error later.
      const handle = await open(path, 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        return null;
      }
      return handle.createReadStream({ start: range?.start, end: range?.end });
    } catch (err) {
      if (isMissing(err) || isDirectory(err)) return null;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await unlink(path).catch(ignoreMissing);
    await unlink(this.attrsPath(key)).catch(ignoreMissing);
    await this.pruneEmptyParents(dirname(path), this.root);
    await this.pruneEmptyParents(dirname(this.attrsPath(key)), this.attrsRoot);
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertStorageKey(prefix, true);
    if (!prefix.endsWith('/')) throw new Error('a storage prefix must end with "/"');
    const dir = join(this.root, prefix);
    await rm(dir, { recursive: true, force: true });
    await rm(join(this.attrsRoot, prefix), { recursive: true, force: true });
    await this.pruneEmptyParents(dirname(dir), this.root);
  }

  private path(key: string): string {
    assertStorageKey(key);
    return join(this.root, key);
  }

  private attrsPath(key: string): string {
    assertStorageKey(key);
    return join(this.attrsRoot, `${key}.json`);
  }

  private async contentType(key: string): Promise<string> {
    try {
      const attrs = JSON.parse(await readFile(this.attrsPath(key), 'utf8')) as { contentType?: unknown };
      return typeof attrs.contentType === 'string' && attrs.contentType !== '' ? attrs.contentType : DEFAULT_TYPE;
    } catch {
      return DEFAULT_TYPE;
    }
  }

  /** Renames `tmp` to `target`, creating its folder; retried once if a concurrent prune removed it. */
  private async moveInto(tmp: string, target: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await mkdir(dirname(target), { recursive: true });
      try {
        await rename(tmp, target);
        return;
      } catch (err) {
        if (!isMissing(err) || attempt > 0) throw err;
      }
    }
  }

  /** Removes empty folders from `dir` up to (not including) `stop`, so deleted records leave no husks. */
  private async pruneEmptyParents(dir: string, stop: string): Promise<void> {
    let current = dir;
    while (current.startsWith(stop) && current.length > stop.length) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT' || (err as NodeJS.ErrnoException)?.code === 'ENOTDIR';
}

function isDirectory(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EISDIR';
}

function ignoreMissing(err: unknown): void {
  if (!isMissing(err)) throw err;
}

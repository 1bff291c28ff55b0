/**
 * The contract every BackupStore implementation must meet (docs/operations.md, Backups),
 * as a suite that takes a factory: the local folder and the S3 bucket run it. An archive
 * is invisible until committed, an aborted one leaves nothing listed, keys are single
 * safe file names, and an uploaded file is taken away.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isValidBackupKey, isValidBackupName, type BackupStore } from '../../src/core/backups/backup-store.js';

/** Writes `text` as the archive `key`, then commits or aborts it. */
export async function writeBackup(store: BackupStore, key: string, text: string, commit = true): Promise<void> {
  const writer = await store.create(key);
  await new Promise<void>((resolve, reject) => writer.stream.end(text, () => resolve()).on('error', reject));
  if (commit) await writer.commit();
  else await writer.abort();
}

async function readText(store: BackupStore, key: string): Promise<string | null> {
  const stream = await store.read(key);
  if (!stream) return null;
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

/** Runs the contract against fresh, empty stores made by `open`. */
export function backupStoreContract(name: string, open: () => Promise<BackupStore>): void {
  describe(`BackupStore contract: ${name}`, () => {
    it('lists an archive only once committed, and reads and deletes it', async () => {
      const store = await open();
      await writeBackup(store, 'a.zip', 'first');
      await writeBackup(store, 'dropped.zip', 'never', false);
      const writer = await store.create('pending.zip');
      writer.stream.write('half');
      expect((await store.list()).map((b) => b.key)).toEqual(['a.zip']);
      expect(await store.stat('pending.zip')).toBeNull();
      await writer.abort();
      expect(await store.stat('dropped.zip')).toBeNull();
      expect((await store.stat('a.zip'))?.size).toBe(5);
      expect(await readText(store, 'a.zip')).toBe('first');
      expect(await store.read('missing.zip')).toBeNull();
      expect(await store.delete('a.zip')).toBe(true);
      expect(await store.delete('a.zip')).toBe(false);
      expect(await store.list()).toEqual([]);
    });

    it('lists newest first with sizes and dates', async () => {
      const store = await open();
      await writeBackup(store, 'old.zip', 'o');
      await new Promise((r) => setTimeout(r, 1100));
      await writeBackup(store, '@auto_pb_backup_new.zip', 'newer');
      const list = await store.list();
      expect(list.map((b) => [b.key, b.size])).toEqual([['@auto_pb_backup_new.zip', 5], ['old.zip', 1]]);
      expect(list[0]!.modified.getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('stores an uploaded file under its key, taking it away', async () => {
      const store = await open();
      const upload = join(mkdtempSync(join(tmpdir(), 'plinth-upload-')), 'upload');
      writeFileSync(upload, 'uploaded');
      await store.putFile('up.zip', upload);
      expect((await store.stat('up.zip'))?.size).toBe(8);
      expect(() => readFileSync(upload)).toThrow();
    });

    it('gives a local copy for random access, released after', async () => {
      const store = await open();
      await writeBackup(store, 'copy.zip', 'zip bytes');
      const copy = await store.localCopy('copy.zip');
      expect(readFileSync(copy!.path, 'utf8')).toBe('zip bytes');
      await copy!.release();
      expect(await store.localCopy('missing.zip')).toBeNull();
      expect(await readText(store, 'copy.zip')).toBe('zip bytes');
    });

    it('refuses keys that are not one plain .zip file name', async () => {
      const store = await open();
      for (const key of ['../x.zip', 'a/b.zip', '.hidden.zip', 'x.txt', '.zip', 'sp ace.zip']) {
        expect(isValidBackupKey(key)).toBe(false);
        await expect(store.create(key)).rejects.toThrow(/invalid backup key/);
        await expect(store.stat(key)).rejects.toThrow(/invalid backup key/);
      }
      expect(isValidBackupKey('@auto_pb_backup_app_20260101000000.zip')).toBe(true);
      expect(isValidBackupName('@auto_x.zip')).toBe(false);
      expect(isValidBackupName('ok_name-1.zip')).toBe(true);
    });
  });
}

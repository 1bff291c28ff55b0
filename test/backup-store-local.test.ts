/**
 * The BackupStore port's contract (docs/operations.md, Backups) against the local
 * folder implementation: an archive is invisible until committed, an aborted or
 * killed one leaves nothing listed, keys are single safe file names.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBackupStore } from '../src/adapters/backups/local-backup-store.js';
import { isValidBackupKey, isValidBackupName, type BackupStore } from '../src/core/backups/backup-store.js';

let root: string;
async function open(): Promise<BackupStore> {
  root = mkdtempSync(join(tmpdir(), 'plinth-backup-store-'));
  return LocalBackupStore.open(root);
}
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function write(store: BackupStore, key: string, text: string, commit = true): Promise<void> {
  const writer = await store.create(key);
  await new Promise<void>((resolve, reject) => writer.stream.end(text, () => resolve()).on('error', reject));
  if (commit) await writer.commit();
  else await writer.abort();
}

describe('LocalBackupStore', () => {
  it('lists an archive only once committed, newest first, and reads and deletes it', async () => {
    const store = await open();
    await write(store, 'a.zip', 'first');
    await write(store, 'dropped.zip', 'never', false);
    const writer = await store.create('pending.zip');
    writer.stream.write('half');
    expect((await store.list()).map((b) => b.key)).toEqual(['a.zip']);
    expect(await store.stat('pending.zip')).toBeNull();
    await writer.abort();
    expect((await store.stat('a.zip'))?.size).toBe(5);
    const stream = await store.read('a.zip');
    let text = '';
    for await (const chunk of stream!) text += chunk;
    expect(text).toBe('first');
    expect(await store.read('missing.zip')).toBeNull();
    expect(await store.delete('a.zip')).toBe(true);
    expect(await store.delete('a.zip')).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('removes what a killed process left half written when it opens', async () => {
    const store = await open();
    writeFileSync(join(root, '.partial-0123'), 'half');
    writeFileSync(join(root, 'notes.txt'), 'not a backup');
    await write(store, 'kept.zip', 'ok');
    await LocalBackupStore.open(root);
    expect(readdirSync(root).sort()).toEqual(['kept.zip', 'notes.txt']);
    expect((await store.list()).map((b) => b.key)).toEqual(['kept.zip']);
  });

  it('stores an uploaded file under its key, taking it away', async () => {
    const store = await open();
    const upload = join(root, '..', `upload-${Date.now()}`);
    writeFileSync(upload, 'uploaded');
    await store.putFile('up.zip', upload);
    expect((await store.stat('up.zip'))?.size).toBe(8);
  });

  it('refuses keys that are not one plain .zip file name', async () => {
    const store = await open();
    for (const key of ['../x.zip', 'a/b.zip', '.hidden.zip', 'x.txt', '.zip', 'sp ace.zip']) {
      expect(isValidBackupKey(key)).toBe(false);
      await expect(store.create(key)).rejects.toThrow(/invalid backup key/);
    }
    expect(isValidBackupKey('@auto_pb_backup_app_20260101000000.zip')).toBe(true);
    expect(isValidBackupName('@auto_x.zip')).toBe(false);
    expect(isValidBackupName('ok_name-1.zip')).toBe(true);
  });
});

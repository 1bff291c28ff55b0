/**
 * LocalBackupStore: the shared BackupStore contract (test/contracts/backup-store-contract.ts)
 * against a local folder, and what only a folder shows — leftovers of a killed process.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackupStore } from '../src/adapters/backups/local-backup-store.js';
import { backupStoreContract, writeBackup } from './contracts/backup-store-contract.js';

const roots: string[] = [];
function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'plinth-backup-store-'));
  roots.push(root);
  return root;
}
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

backupStoreContract('local folder', () => LocalBackupStore.open(freshRoot()));

describe('LocalBackupStore', () => {
  it('removes what a killed process left half written when it opens', async () => {
    const root = freshRoot();
    const store = await LocalBackupStore.open(root);
    writeFileSync(join(root, '.partial-0123'), 'half');
    writeFileSync(join(root, 'notes.txt'), 'not a backup');
    await writeBackup(store, 'kept.zip', 'ok');
    await LocalBackupStore.open(root);
    expect(readdirSync(root).sort()).toEqual(['kept.zip', 'notes.txt']);
    expect((await store.list()).map((b) => b.key)).toEqual(['kept.zip']);
  });

  it('aborts a backup with a write in flight without an uncaught error', async () => {
    const root = freshRoot();
    const store = await LocalBackupStore.open(root);
    const writer = await store.create('pending.zip');
    await new Promise((resolve) => writer.stream.once('ready', resolve));
    const uncaught: unknown[] = [];
    const note = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', note);
    try {
      // 1 MB: the write is still in flight when the abort destroys the stream, and then fails.
      writer.stream.write('half'.repeat(1 << 18));
      await writer.abort();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.off('uncaughtException', note);
    }
    expect(uncaught).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });
});

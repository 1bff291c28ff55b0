/**
 * S3BackupStore: the shared BackupStore contract against a real S3-compatible server
 * (s3rver, test/helpers/test-s3.ts), each test on a fresh bucket, and what only a
 * bucket shows — other objects in it are not backups.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BackupStore } from '../src/adapters/backups/s3-backup-store.js';
import { createS3Client } from '../src/adapters/storage/s3-client.js';
import { S3Storage } from '../src/adapters/storage/s3-storage.js';
import { backupStoreContract, writeBackup } from './contracts/backup-store-contract.js';
import { startTestS3, uniqueBucket, type TestS3 } from './helpers/test-s3.js';

let s3: TestS3;
const tmp = mkdtempSync(join(tmpdir(), 'plinth-s3-backups-'));
const stores: Array<{ destroy(): void }> = [];
beforeAll(async () => { s3 = await startTestS3(); });
afterAll(async () => {
  for (const s of stores) s.destroy();
  await s3?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function freshStore(): Promise<S3BackupStore> {
  const bucket = uniqueBucket();
  const client = createS3Client(s3.settings());
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  const store = new S3BackupStore(s3.settings(bucket), tmp);
  stores.push(store);
  return store;
}

backupStoreContract('S3-compatible bucket', freshStore);

describe('S3BackupStore', () => {
  it('lists only root objects with a backup name', async () => {
    const store = await freshStore();
    const bucket = (store as unknown as { bucket: string }).bucket;
    const files = new S3Storage(s3.settings(bucket));
    stores.push(files);
    await files.put('pb_settings_test_1234/test.txt', Buffer.from('x'), { contentType: 'text/plain' });
    await files.put('notes.txt', Buffer.from('x'), { contentType: 'text/plain' });
    await writeBackup(store, 'b.zip', 'backup');
    expect((await store.list()).map((b) => b.key)).toEqual(['b.zip']);
  });

  it('answers 503 when the bucket is gone', async () => {
    const store = new S3BackupStore(s3.settings('no-such-bucket'), tmp);
    stores.push(store);
    await expect(store.list()).rejects.toMatchObject({ status: 503 });
  });
});

/**
 * Backups on S3 (docs/operations.md, "Backups on S3") at the HTTP boundary, through the
 * pocketbase SDK, against a real S3-compatible server (s3rver): with
 * `settings.backups.s3` enabled, backups are created, listed, downloaded, uploaded,
 * deleted, scheduled (keeping cronMaxKeep) and restored from the bucket, and nothing
 * lands in `<dir>/backups`; the settings test checks the backups bucket.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BackupStore } from '../src/adapters/backups/s3-backup-store.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName } from './helpers/collections.js';
import { eventually } from './helpers/jobs.js';
import { startTestS3, type TestS3 } from './helpers/test-s3.js';

let s: TestServer;
let s3: TestS3;
let token: string;
let bucket: S3BackupStore;

beforeAll(async () => {
  s3 = await startTestS3(['backups', 'files']);
  s = await startTestServer();
  token = await s.adminToken();
  const res = await s.request('PATCH', '/api/settings', { token, body: { backups: { s3: s3.settings('backups') } } });
  expect(res.status, res.text).toBe(200);
  bucket = new S3BackupStore(s3.settings('backups'), join(s.dir, '.tmp'));
});
afterAll(async () => {
  bucket?.destroy();
  await s?.close();
  await s3?.close();
});

function localBackups(): string[] {
  return readdirSync(join(s.dir, 'backups'));
}

describe('backups on S3', () => {
  it('creates, lists, downloads, uploads and deletes backups in the bucket', async () => {
    const pb = await s.admin();
    await pb.backups.create('on_s3.zip');
    expect((await bucket.stat('on_s3.zip'))?.size).toBeGreaterThan(0);
    expect(localBackups()).toEqual([]);
    const list = await pb.backups.getFullList();
    expect(list.map((b) => b.key)).toContain('on_s3.zip');
    const fileToken = await pb.files.getToken();
    const res = await fetch(pb.backups.getDownloadURL(fileToken, 'on_s3.zip'));
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.length).toBe(list.find((b) => b.key === 'on_s3.zip')!.size);

    await pb.backups.upload({ file: new File([bytes], 'uploaded_copy.zip', { type: 'application/zip' }) });
    expect((await bucket.stat('uploaded_copy.zip'))?.size).toBe(bytes.length);
    const taken = await s.request('POST', '/api/backups', { token, body: { name: 'on_s3.zip' } });
    expect(taken.status).toBe(400);
    expect(taken.body.data.name.code).toBe('validation_backup_name_exists');
    await pb.backups.delete('uploaded_copy.zip');
    expect(await bucket.stat('uploaded_copy.zip')).toBeNull();
    expect((await s.request('DELETE', '/api/backups/uploaded_copy.zip', { token })).status).toBe(400);
    expect(localBackups()).toEqual([]);
  });

  it('reports canBackup and tests the backups bucket', async () => {
    expect((await s.request('GET', '/api/health', { token })).body.data.canBackup).toBe(true);
    expect((await s.request('POST', '/api/settings/test/s3', { token, body: { filesystem: 'backups' } })).status).toBe(204);
    // The storage filesystem is not enabled: that test fails, the backups one is unaffected.
    expect((await s.request('POST', '/api/settings/test/s3', { token, body: { filesystem: 'storage' } })).status).toBe(400);
  });

  it('takes scheduled backups in the bucket, keeping cronMaxKeep', async () => {
    const pb = await s.admin();
    await pb.settings.update({ backups: { cron: '0 3 * * *', cronMaxKeep: 1 } });
    await pb.crons.run('__pbAutoBackup__');
    await eventually(async () => ((await bucket.list()).some((b) => b.key.startsWith('@auto_pb_backup_')) ? true : undefined), 'a scheduled backup');
    await new Promise((r) => setTimeout(r, 1100));
    await pb.crons.run('__pbAutoBackup__');
    const kept = await eventually(async () => {
      const auto = (await bucket.list()).filter((b) => b.key.startsWith('@auto_pb_backup_'));
      return auto.length === 1 && auto[0]!.modified.getTime() > Date.now() - 1000 * 60 ? auto : undefined;
    }, 'one scheduled backup kept');
    expect(kept).toHaveLength(1);
    // The scheduled backup may still hold the backup lock after its file is listed: the next
    // test's own backup would then be refused (a CI run failed so).
    await eventually(async () => ((await s.request('GET', '/api/health', { token })).body.data.canBackup ? true : undefined), 'the scheduled backup to end');
    await pb.settings.update({ backups: { cron: '' } });
    expect(localBackups()).toEqual([]);
  });

  it('restores a backup from the bucket: records and files come back without a restart', async () => {
    const pb = await s.admin();
    const name = uniqueName('s3notes');
    await createCollection(s, token, {
      name, type: 'base', listRule: '', viewRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1000000 }],
    });
    const a = await pb.collection(name).create({ title: 'kept', doc: new File(['file on s3 backup'], 'one.txt') });
    await pb.backups.create('before_s3_change.zip');
    await pb.collection(name).delete(a.id);
    await pb.collection(name).create({ title: 'gone after restore' });

    expect(await pb.backups.restore('before_s3_change.zip')).toBe(true);
    const again = await s.admin();
    const records = await again.collection(name).getFullList();
    expect(records.map((r) => r.title)).toEqual(['kept']);
    expect(await (await fetch(again.files.getURL(records[0]!, records[0]!.doc))).text()).toBe('file on s3 backup');
    // The restored settings still name the bucket; the local copy the restore read is gone.
    expect((await again.settings.getAll()).backups.s3.enabled).toBe(true);
    expect(readdirSync(join(s.dir, '.tmp', 'backups'))).toEqual([]);
    expect(localBackups()).toEqual([]);
  });

  it('answers 400 for a backup that is not in the bucket', async () => {
    const res = await s.request('POST', '/api/backups/missing.zip/restore', { token });
    expect(res.status).toBe(400);
  });
});

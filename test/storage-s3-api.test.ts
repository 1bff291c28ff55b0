/**
 * S3 file storage at the HTTP boundary (docs/operations.md, "S3 storage"): with
 * `settings.s3.enabled`, record files and thumbs go to the bucket and come back from
 * it, a deleted record's objects go too; files stored before a switch stay where they
 * were; `POST /api/settings/test/s3` answers 204 or a 400 with the store's error; the
 * secret is never read back. Runs against s3rver (test/helpers/test-s3.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../src/adapters/storage/s3-storage.js';
import { readAll } from '../src/core/files/storage.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';
import { png } from './helpers/files.js';
import { startTestS3, type TestS3 } from './helpers/test-s3.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let s3: TestS3;
let admin: PocketBase;
let bucket: S3Storage;
let docs: { id: string; name: string };
const DISABLED = { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false };

beforeAll(async () => {
  s3 = await startTestS3(['files', 'other']);
  s = await startTestServer();
  admin = await s.admin();
  bucket = new S3Storage(s3.settings('files'));
  docs = await createCollection(s, {
    name: uniqueName('s3docs'), listRule: '', viewRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'doc', type: 'file', maxSelect: 1, thumbs: ['20x20'] }],
  });
});
afterAll(async () => {
  bucket?.destroy();
  await s?.close();
  await s3?.close();
});

const useS3 = (over: Record<string, unknown> = {}) => admin.settings.update({ s3: { ...s3.settings('files'), ...over } });
const useLocal = () => admin.settings.update({ s3: DISABLED });
const bytesOf = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
};
const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ClientResponseError);

describe('record files on S3', () => {
  it('stores an upload and its thumb in the bucket, serves both, and deletes them with the record', async () => {
    await useS3();
    const image = await png(60, 40);
    const rec = await admin.collection(docs.name).create({ title: 'on s3', doc: new File([image], 'photo.png', { type: 'image/png' }) });
    const key = `${docs.id}/${rec.id}/${rec.doc}`;
    expect(await bucket.stat(key)).toMatchObject({ size: image.length, contentType: 'image/png' });
    expect(existsSync(join(s.dir, 'storage', docs.id, rec.id))).toBe(false);

    const file = await bytesOf(admin.files.getURL(rec, rec.doc));
    expect(file.status).toBe(200);
    expect(file.type).toBe('image/png');
    expect(file.bytes.equals(image)).toBe(true);
    const ranged = await fetch(admin.files.getURL(rec, rec.doc), { headers: { Range: 'bytes=1-3' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(image.subarray(1, 4))).toBe(true);
    const thumb = await bytesOf(admin.files.getURL(rec, rec.doc, { thumb: '20x20' }));
    expect(thumb.status).toBe(200);
    expect(await bucket.exists(`${docs.id}/${rec.id}/thumbs_${rec.doc}/20x20_${rec.doc}`)).toBe(true);

    await admin.collection(docs.name).delete(rec.id);
    expect(await bucket.exists(key)).toBe(false);
    expect(await bucket.exists(`${docs.id}/${rec.id}/thumbs_${rec.doc}/20x20_${rec.doc}`)).toBe(false);
  });

  it('leaves files where they were stored when the setting switches (no migration, as PocketBase)', async () => {
    await useLocal();
    const local = await admin.collection(docs.name).create({ doc: new File(['kept on disk'], 'a.txt') });
    expect(existsSync(join(s.dir, 'storage', docs.id, local.id, local.doc))).toBe(true);
    await useS3();
    expect((await fetch(admin.files.getURL(local, local.doc))).status).toBe(404);
    const remote = await admin.collection(docs.name).create({ doc: new File(['kept in the bucket'], 'b.txt') });
    await useLocal();
    expect((await bytesOf(admin.files.getURL(local, local.doc))).bytes.toString()).toBe('kept on disk');
    expect((await fetch(admin.files.getURL(remote, remote.doc))).status).toBe(404);
    await useS3();
    expect((await bytesOf(admin.files.getURL(remote, remote.doc))).bytes.toString()).toBe('kept in the bucket');
  });

  it('follows a change of bucket at once', async () => {
    await useS3({ bucket: 'other' });
    const rec = await admin.collection(docs.name).create({ doc: new File(['in other'], 'c.txt') });
    const other = new S3Storage(s3.settings('other'));
    try {
      expect((await readAll((await other.read(`${docs.id}/${rec.id}/${rec.doc}`))!)).toString()).toBe('in other');
    } finally {
      other.destroy();
    }
    expect(await bucket.exists(`${docs.id}/${rec.id}/${rec.doc}`)).toBe(false);
  });

  it('answers 503 and saves nothing when the bucket is missing or the store unreachable', async () => {
    for (const broken of [{ bucket: 'no-such-bucket' }, { endpoint: 'http://127.0.0.1:1' }]) {
      await useS3(broken);
      const before = await admin.collection(docs.name).getFullList();
      const err = await errorOf(admin.collection(docs.name).create({ title: 'lost', doc: new File(['x'], 'x.txt') }));
      expect(err?.status, JSON.stringify(broken)).toBe(503);
      expect(err?.response).toEqual({ status: 503, message: 'Service temporarily unavailable.', data: {} });
      expect(await admin.collection(docs.name).getFullList()).toHaveLength(before.length);
    }
    await useS3();
  });
});

describe('settings.s3', () => {
  it('never reads the secret back, and keeps it when a blank one is sent', async () => {
    await useS3();
    const all = await admin.settings.getAll();
    expect(all.s3).toMatchObject({ enabled: true, bucket: 'files', accessKey: 'S3RVER', secret: '' });
    expect(JSON.stringify(all)).not.toContain('"secret":"S3RVER"');
    await admin.settings.update(all);
    expect(await admin.settings.testS3()).toBe(true);
  });

  // The secret stored by the tests before stands in for the blank one sent here.
  it('requires bucket, region, endpoint and access key when enabled', async () => {
    await useLocal();
    const err = await errorOf(admin.settings.update({ s3: { enabled: true, bucket: '', region: '', endpoint: 'not a url', accessKey: '', secret: '' } }));
    expect(err?.status).toBe(400);
    expect(Object.keys(err?.response.data.s3 ?? {}).sort()).toEqual(['accessKey', 'bucket', 'endpoint', 'region']);
    expect((await admin.settings.getAll()).s3.enabled).toBe(false);
  });
});

describe('POST /api/settings/test/s3', () => {
  it('answers 204 through the SDK when the bucket works, and leaves no test object behind', async () => {
    await useS3();
    expect(await admin.settings.testS3('storage')).toBe(true);
    const client = new S3Client({ ...s3.settings('files'), credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'files', Prefix: 'pb_settings_test_' }));
      expect(listed.Contents ?? []).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('answers 400 with the store\'s error for a missing bucket or an unknown access key', async () => {
    await useS3({ bucket: 'no-such-bucket' });
    const missing = await errorOf(admin.settings.testS3());
    expect(missing?.status).toBe(400);
    expect(missing?.response.message).toMatch(/^Failed to test the S3 filesystem\. Raw error: \nfailed to upload a test file: NoSuchBucket/);
    await useS3({ accessKey: 'WRONG' });
    const key = await errorOf(admin.settings.testS3());
    expect(key?.status).toBe(400);
    expect(key?.response.message).toMatch(/InvalidAccessKeyId/);
    await useS3();
  });

  it('answers 400 when the filesystem is not enabled, missing or unknown', async () => {
    const token = await s.adminToken();
    const backups = await s.request('POST', '/api/settings/test/s3', { token, body: { filesystem: 'backups' } });
    expect(backups.status).toBe(400);
    expect(backups.body.message).toBe('Failed to test the S3 filesystem. Raw error: \nS3 storage filesystem is not enabled');
    const none = await s.request('POST', '/api/settings/test/s3', { token, body: {} });
    expect(none.status).toBe(400);
    expect(none.body.data).toEqual({ filesystem: { code: 'validation_required', message: 'Cannot be blank.' } });
    const other = await s.request('POST', '/api/settings/test/s3', { token, body: { filesystem: 'disk' } });
    expect(other.body.data.filesystem.code).toBe('validation_in_invalid');
    await useLocal();
    const off = await s.request('POST', '/api/settings/test/s3', { token, body: { filesystem: 'storage' } });
    expect(off.status).toBe(400);
    expect(off.body.message).toMatch(/not enabled$/);
  });

  it('is for superusers: a guest gets 401, another user 403', async () => {
    expect((await s.request('POST', '/api/settings/test/s3', { body: { filesystem: 'storage' } })).status).toBe(401);
    await admin.collection('users').create({ email: 's3user@example.com', password: 's3user-password-1', passwordConfirm: 's3user-password-1' });
    const user = s.client();
    await user.collection('users').authWithPassword('s3user@example.com', 's3user-password-1');
    expect((await errorOf(user.settings.testS3()))?.status).toBe(403);
  });
});

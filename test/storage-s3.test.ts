/**
 * S3Storage: the shared Storage contract against a real S3-compatible server
 * (s3rver, test/helpers/test-s3.ts), and what only a bucket shows — objects at the
 * bucket's root under the keys of docs/api.md §8.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../src/adapters/storage/s3-storage.js';
import { readAll } from '../src/core/files/storage.js';
import { storageContract } from './contracts/storage-contract.js';
import { startTestS3, type TestS3 } from './helpers/test-s3.js';

let s3: TestS3;
const stores: S3Storage[] = [];
beforeAll(async () => { s3 = await startTestS3(['contract', 'other']); });
afterAll(async () => {
  for (const s of stores) s.destroy();
  await s3?.close();
});

function store(bucket = 'contract', accessKey = 'S3RVER'): S3Storage {
  const s = new S3Storage({ ...s3.settings(bucket), accessKey });
  stores.push(s);
  return s;
}

storageContract('S3-compatible bucket', async () => store());

describe('S3Storage', () => {
  it('keeps each bucket apart', async () => {
    await store('contract').put('col/rec/same.txt', Buffer.from('one'), { contentType: 'text/plain' });
    await store('other').put('col/rec/same.txt', Buffer.from('two'), { contentType: 'text/plain' });
    expect((await readAll((await store('contract').read('col/rec/same.txt'))!)).toString()).toBe('one');
    expect((await readAll((await store('other').read('col/rec/same.txt'))!)).toString()).toBe('two');
  });

  it('keeps keys with characters a URL must escape', async () => {
    const s = store();
    const key = 'col/rec/a b+c%20d?e#f&g=h~!$\'()*,;:@.txt';
    await s.put(key, Buffer.from('odd'), { contentType: 'text/plain' });
    expect(await s.stat(key)).toMatchObject({ size: 3 });
    expect((await readAll((await s.read(key))!)).toString()).toBe('odd');
    expect(await s.exists('col/rec/a b+c d?e#f&g=h~!$\'()*,;:@.txt')).toBe(false);
    await s.deletePrefix('col/rec/');
    expect(await s.exists(key)).toBe(false);
  });

  // A HEAD answer has no body, so stat cannot tell a missing bucket from a missing key.
  it('fails with a 503 caused by the store (not "missing") when the bucket does not exist or the access key is unknown', async () => {
    const unavailable = (cause: string) => ({ status: 503, message: 'Service temporarily unavailable.', cause: expect.objectContaining({ name: cause }) });
    await expect(store('no-such-bucket').read('col/rec/a.txt')).rejects.toMatchObject(unavailable('NoSuchBucket'));
    await expect(store('no-such-bucket').put('col/rec/a.txt', Buffer.from('a'), { contentType: 'text/plain' })).rejects.toMatchObject(unavailable('NoSuchBucket'));
    await expect(store('contract', 'WRONG').put('col/rec/a.txt', Buffer.from('a'), { contentType: 'text/plain' })).rejects.toMatchObject(unavailable('InvalidAccessKeyId'));
    const unreachable = new S3Storage({ ...s3.settings('contract'), endpoint: 'http://127.0.0.1:1' });
    stores.push(unreachable);
    await expect(unreachable.stat('col/rec/a.txt')).rejects.toMatchObject({ status: 503 });
  });
});

/**
 * S3BackupStore keeps backup archives in an S3-compatible bucket (docs/operations.md,
 * "Backups on S3"), one object per backup at the bucket's root under its key, as
 * PocketBase's backups filesystem does. An archive is sent as a multipart upload while
 * it is written, so nothing is held in memory or on disk and archives beyond S3's 5 GB
 * single-PUT limit work; S3 shows an object only once its upload completed, so a
 * backup killed half way is never listed (the store expires the orphaned parts by its
 * own lifecycle rules). A restore reads a zip at random, so `localCopy` downloads the
 * archive into the node's temporary folder first.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { unavailable } from '../../errors/service-unavailable.js';
import { isValidBackupKey, type BackupInfo, type BackupStore, type BackupWriter } from '../../core/backups/backup-store.js';
import { createS3Client, isS3Missing, type S3Target } from '../storage/s3-client.js';

/** The most archives one listing reads (pages of 1000): a bound on what `GET /api/backups` costs. */
const MAX_LISTED_OBJECTS = 20_000;

/** A BackupStore over one bucket of an S3-compatible store. */
export class S3BackupStore implements BackupStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  /** `tmpDir` holds the local copies a restore reads. */
  constructor(target: S3Target, private readonly tmpDir: string) {
    this.bucket = target.bucket;
    this.client = createS3Client(target);
  }

  async list(): Promise<BackupInfo[]> {
    const out: BackupInfo[] = [];
    let token: string | undefined;
    let seen = 0;
    do {
      const page = await this.send((c) => c.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token })));
      for (const o of page.Contents ?? []) {
        // Only root objects with a backup's name: the settings test's `pb_settings_test_…/` prefix and anything else stay out.
        if (o.Key && isValidBackupKey(o.Key)) out.push({ key: o.Key, size: o.Size ?? 0, modified: o.LastModified ?? new Date(0) });
      }
      seen += page.Contents?.length ?? 0;
      token = page.IsTruncated && seen < MAX_LISTED_OBJECTS ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => b.modified.getTime() - a.modified.getTime() || a.key.localeCompare(b.key));
  }

  async stat(key: string): Promise<BackupInfo | null> {
    assertKey(key);
    try {
      const head = await this.send((c) => c.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { key, size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) };
    } catch (err) {
      if (isS3Missing(err)) return null;
      throw err;
    }
  }

  async create(key: string): Promise<BackupWriter> {
    assertKey(key);
    const stream = new PassThrough();
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: stream, ContentType: 'application/zip' } });
    // Started now, so the parts go out as the archive is written; its failure surfaces in commit.
    const done = upload.done();
    done.catch(() => undefined);
    return {
      stream,
      commit: async () => {
        await this.send(() => done);
      },
      abort: async () => {
        stream.destroy();
        await upload.abort().catch(() => undefined);
        await done.catch(() => undefined);
        // A small archive goes as one PUT when its stream ends: remove it if that happened.
        await this.send((c) => c.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))).catch(() => undefined);
      },
    };
  }

  async putFile(key: string, path: string): Promise<void> {
    assertKey(key);
    await stat(path);
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: createReadStream(path), ContentType: 'application/zip' } });
    await this.send(() => upload.done());
    await rm(path, { force: true });
  }

  async read(key: string): Promise<Readable | null> {
    assertKey(key);
    try {
      const object = await this.send((c) => c.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })));
      // In Node the SDK's body is the response's IncomingMessage, a Readable.
      return object.Body as Readable;
    } catch (err) {
      if (isS3Missing(err)) return null;
      throw err;
    }
  }

  async localCopy(key: string): Promise<{ path: string; release(): Promise<void> } | null> {
    const body = await this.read(key);
    if (!body) return null;
    await mkdir(this.tmpDir, { recursive: true });
    const path = join(this.tmpDir, `backup-${randomBytes(8).toString('hex')}.zip`);
    const release = (): Promise<void> => rm(path, { force: true });
    try {
      await pipeline(body, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      await release();
      throw unavailable(err);
    }
    return { path, release };
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.stat(key))) return false;
    await this.send((c) => c.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
    return true;
  }

  /** Closes the client's connections; the store is unusable after. */
  destroy(): void {
    this.client.destroy();
  }

  /** Sends one request; the store's failure becomes a 503 (a missing object stays the SDK's 404 error). */
  private async send<T>(request: (client: S3Client) => Promise<T>): Promise<T> {
    try {
      return await request(this.client);
    } catch (err) {
      throw isS3Missing(err) ? err : unavailable(err);
    }
  }
}

function assertKey(key: string): void {
  // SECURITY: a key is one plain object name at the bucket's root, whatever the caller checked.
  if (!isValidBackupKey(key)) throw new Error(`invalid backup key ${JSON.stringify(key.slice(0, 200))}`);
}

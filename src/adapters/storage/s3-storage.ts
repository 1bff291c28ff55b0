/**
 * S3Storage keeps objects in an S3-compatible bucket (docs/operations.md, "S3 storage"),
 * under the same keys LocalStorage uses as paths (`<collectionId>/<recordId>/<file>`,
 * PocketBase's layout), at the bucket's root. A PUT is atomic in S3, so a reader
 * never sees a partial object; the content type is the object's own `Content-Type`.
 * Any failure of the store (unreachable, no such bucket, a refused key) is a 503
 * whose cause — the store's own error — is logged, never sent to the client.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { unavailable } from '../../errors/service-unavailable.js';
import { assertStorageKey, type ByteRange, type Storage, type StoredObject } from '../../core/files/storage.js';
import { createS3Client, isS3Missing as isMissing, type S3Target } from './s3-client.js';

const DEFAULT_TYPE = 'application/octet-stream';
/** The most keys one DeleteObjects request may name (S3's limit). */
const DELETE_BATCH = 1000;

export type { S3Target } from './s3-client.js';

/** A Storage over one bucket of an S3-compatible store. */
export class S3Storage implements Storage {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(target: S3Target) {
    this.bucket = target.bucket;
    this.client = createS3Client(target);
  }

  async put(key: string, data: Buffer, meta: { contentType: string }): Promise<void> {
    assertStorageKey(key);
    await this.send((c) => c.send(new PutObjectCommand({
      Bucket: this.bucket, Key: key, Body: data, ContentLength: data.length, ContentType: meta.contentType || DEFAULT_TYPE,
    })));
  }

  async putFile(key: string, path: string, meta: { contentType: string }): Promise<void> {
    assertStorageKey(key);
    // Streamed, never held in memory; a missing file fails here, before any request.
    const { size } = await stat(path);
    await this.send((c) => c.send(new PutObjectCommand({
      Bucket: this.bucket, Key: key, Body: createReadStream(path), ContentLength: size, ContentType: meta.contentType || DEFAULT_TYPE,
    })));
    await rm(path, { force: true });
  }

  async stat(key: string): Promise<StoredObject | null> {
    assertStorageKey(key);
    try {
      const head = await this.send((c) => c.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0), contentType: head.ContentType || DEFAULT_TYPE };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    assertStorageKey(key);
    try {
      const object = await this.send((c) => c.send(new GetObjectCommand({
        Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      })));
      // In Node the SDK's body is the response's IncomingMessage, a Readable.
      return object.Body as Readable;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    // S3 answers 204 for a missing key too.
    await this.send((c) => c.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertStorageKey(prefix, true);
    if (!prefix.endsWith('/')) throw new Error('a storage prefix must end with "/"');
    let token: string | undefined;
    do {
      const page = await this.send((c) => c.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: DELETE_BATCH })));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) {
        const done = await this.send((c) => c.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } })));
        const failed = done.Errors?.[0];
        if (failed) throw unavailable(new Error(`S3 could not delete ${failed.Key ?? 'an object'}: ${failed.Code ?? ''} ${failed.Message ?? ''}`.trim()));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Sends one request; the store's failure becomes a 503 (a missing object stays the SDK's 404 error). */
  private async send<T>(request: (client: S3Client) => Promise<T>): Promise<T> {
    try {
      return await request(this.client);
    } catch (err) {
      throw isMissing(err) ? err : unavailable(err);
    }
  }

  /** Closes the client's connections; the store is unusable after. */
  destroy(): void {
    this.client.destroy();
  }
}


/**
 * The S3 client Plinth's S3 adapters share (docs/operations.md, "S3 storage"): one
 * construction for file storage and backups, so both talk to S3-compatible stores
 * the same way.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../core/settings/settings.js';

/** Where an S3 adapter connects: PocketBase's `settings.s3` fields, without `enabled`. */
export type S3Target = Omit<S3Settings, 'enabled'>;

/** A client for `target`'s store. */
export function createS3Client(target: S3Target): S3Client {
  return new S3Client({
    region: target.region,
    endpoint: target.endpoint || undefined,
    forcePathStyle: target.forcePathStyle,
    credentials: { accessKeyId: target.accessKey, secretAccessKey: target.secret },
    // Checksums only where S3 demands them: most S3-compatible stores (MinIO before
    // 2025, R2, s3rver, …) reject or mis-answer the SDK's default CRC32 trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A store that does not answer fails the request instead of hanging it.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
    maxAttempts: 2,
  });
}

/** Whether an SDK error says the object is not there (HEAD answers a bare 404). */
export function isS3Missing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || (e?.$metadata?.httpStatusCode === 404 && e?.name !== 'NoSuchBucket');
}

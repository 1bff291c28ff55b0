/**
 * A real S3-compatible server for tests: s3rver, started in this process on a free
 * loopback port over a temporary folder. Chosen because it installs from npm with no
 * binary download and no Docker, and speaks the S3 REST API the SDK uses (signed
 * requests, ranges, ListObjectsV2, DeleteObjects, multipart). It knows one access
 * key, S3RVER, and refuses any other as S3 does; it does not check V4 signatures, so
 * a wrong secret goes unnoticed (a wrong access key stands in for it in tests).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/core/settings/settings.js';

/** A running test S3 server. */
export interface TestS3 {
  endpoint: string;
  /** `settings.s3` pointing at a fresh bucket of this server, enabled. */
  settings(bucket?: string): S3Settings;
  close(): Promise<void>;
}

/** Starts s3rver with `buckets` created (names must be 3–63 lower-case characters). */
export async function startTestS3(buckets: string[] = ['plinth-test']): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'plinth-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    settings: (bucket = buckets[0]!) => ({
      enabled: true, bucket, region: 'us-east-1', endpoint, accessKey: 'S3RVER', secret: 'S3RVER', forcePathStyle: true,
    }),
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A bucket name no other test uses. */
export function uniqueBucket(): string {
  return `b-${randomBytes(6).toString('hex')}`;
}

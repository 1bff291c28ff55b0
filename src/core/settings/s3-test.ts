/**
 * The S3 connection test of `POST /api/settings/test/s3` (docs/operations.md, "S3 storage"),
 * as PocketBase's: with the saved settings of the named filesystem (`storage` is
 * `settings.s3`, `backups` is `settings.backups.s3`), upload a small object under
 * a fresh `pb_settings_test_…/` prefix and delete that prefix, which exercises
 * write, list and delete. Any failure is a 400 carrying the store's own error.
 */
import { randomBytes } from 'node:crypto';
import { AppError, badRequest, isAppError, type ErrorData } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import type { Storage } from '../files/storage.js';
import type { S3Settings, Settings } from './settings.js';

/** The filesystems PocketBase can put on S3. */
const FILESYSTEMS = ['storage', 'backups'] as const;

/** A Storage over one bucket, closed after the test. */
export type OpenS3 = (target: S3Settings) => Promise<Storage & { destroy(): void }>;

/** Tests the S3 settings of `filesystem` (a request value); resolves when the bucket works. */
export async function testS3Filesystem(settings: Settings, filesystem: unknown, open: OpenS3): Promise<void> {
  const errors: ErrorData = {};
  if (filesystem === undefined || filesystem === null || filesystem === '') errors.filesystem = codeError('validation_required');
  else if (!(FILESYSTEMS as readonly unknown[]).includes(filesystem)) errors.filesystem = codeError('validation_in_invalid');
  if (Object.keys(errors).length > 0) throw badRequest('Failed to test the S3 filesystem.', errors);

  const target = filesystem === 'backups' ? settings.backups.s3 : settings.s3;
  if (!target.enabled) throw failed('S3 storage filesystem is not enabled');
  const store = await open(target);
  const prefix = `pb_settings_test_${randomBytes(4).toString('hex')}/`;
  try {
    await store.put(`${prefix}test.txt`, Buffer.from('test'), { contentType: 'text/plain' }).catch((err: unknown) => {
      throw failed(`failed to upload a test file: ${describe(err)}`, err);
    });
    await store.deletePrefix(prefix).catch((err: unknown) => {
      throw failed(`failed to delete a test file: ${describe(err)}`, err);
    });
  } finally {
    store.destroy();
  }
}

function failed(reason: string, cause?: unknown): AppError {
  return badRequest(`Failed to test the S3 filesystem. Raw error: \n${reason}`, {}, cause);
}

/** The store's error as one line: its code (`NoSuchBucket`, `InvalidAccessKeyId`, …) and message. */
function describe(err: unknown): string {
  // The Storage reports the store's failure as a 503 (its own message says nothing) caused by the store's error.
  if (isAppError(err) && err.status === 503 && err.cause !== undefined) return describe(err.cause);
  const e = err as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  const name = typeof e?.name === 'string' && e.name !== 'Error' ? `${e.name}: ` : '';
  const code = typeof e?.code === 'string' && name === '' ? `${e.code}: ` : '';
  return `${name}${code}${typeof e?.message === 'string' ? e.message : String(err)}`;
}

/**
 * The Storage port (docs/architecture.md §1): where uploaded files and their thumbs live.
 * A local directory now, an S3-compatible object store when scaled out. Keys
 * are `/`-separated relative paths checked by assertStorageKey, so no key can
 * name anything outside the store whatever the implementation.
 */
import type { Readable } from 'node:stream';

/** What Storage knows of a stored object. */
export interface StoredObject {
  /** Size in bytes. */
  size: number;
  /** When the object was last written. */
  modified: Date;
  /** The content type given when it was written (`application/octet-stream` when none). */
  contentType: string;
}

/** An inclusive byte range of an object, as HTTP Range requests name it. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Storage keeps opaque objects under validated keys. */
export interface Storage {
  /** Writes an object whole, replacing one stored under the same key; readers never see a partial object. */
  put(key: string, data: Buffer, meta: { contentType: string }): Promise<void>;
  /**
   * Stores the file at `path` (an upload spooled to disk) under `key`, as put does, taking
   * the file away: it is moved when it can be, else copied and removed.
   */
  putFile(key: string, path: string, meta: { contentType: string }): Promise<void>;
  /** The object's metadata, or null when there is none under `key`. */
  stat(key: string): Promise<StoredObject | null>;
  /** Streams the object, or the bytes of `range` of it; null when there is none under `key`. */
  read(key: string, range?: ByteRange): Promise<Readable | null>;
  /** Whether an object is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /** Deletes one object; deleting a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (which must end with `/`). */
  deletePrefix(prefix: string): Promise<void>;
}

/** The longest key segment accepted (common file systems cap a name at 255 bytes). */
export const MAX_KEY_SEGMENT = 255;

// SECURITY: a segment is 1–255 bytes of printable ASCII other than `/` and `\`, and may
// not start with a dot, so `.`/`..`, hidden names, NUL and control characters are all
// impossible; no key can climb out of the store's root or address metadata beside it.
const segmentRe = /^[^./\\\x00-\x1f\x7f-\uffff][^/\\\x00-\x1f\x7f-\uffff]*$/;

/** Whether `segment` is a valid single part of a storage key. */
export function isValidKeySegment(segment: string): boolean {
  return segment.length <= MAX_KEY_SEGMENT && segmentRe.test(segment);
}

/** Throws unless `key` is 1–8 valid segments joined by `/` (a prefix may end with `/`). */
export function assertStorageKey(key: string, allowTrailingSlash = false): void {
  const body = allowTrailingSlash && key.endsWith('/') ? key.slice(0, -1) : key;
  const segments = body.split('/');
  if (body === '' || segments.length > 8 || !segments.every(isValidKeySegment)) {
    throw new Error(`invalid storage key ${JSON.stringify(key.slice(0, 300))}`);
  }
}

/** The key of a record's file (docs/api.md §8.1): `<collectionId>/<recordId>/<filename>`. */
export function fileKey(collectionId: string, recordId: string, filename: string): string {
  return `${collectionId}/${recordId}/${filename}`;
}

/** The key of a thumb (docs/api.md §8.1): `<collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>`. */
export function thumbKey(collectionId: string, recordId: string, filename: string, size: string): string {
  return `${thumbsPrefix(collectionId, recordId, filename)}${size}_${filename}`;
}

/** The prefix under which every thumb of one file lives. */
export function thumbsPrefix(collectionId: string, recordId: string, filename: string): string {
  return `${collectionId}/${recordId}/thumbs_${filename}/`;
}

/** The prefix under which every file of one record lives. */
export function recordPrefix(collectionId: string, recordId: string): string {
  return `${collectionId}/${recordId}/`;
}

/** Reads a whole stream into one Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

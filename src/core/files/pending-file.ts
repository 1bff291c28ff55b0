/**
 * A PendingFile is an upload on its way into a record's file field (docs/api.md §8.1):
 * its stored name is fixed when it arrives, its type is detected from its
 * bytes, and it is written to storage only after the record validates.
 */
import { normalizeFileName } from './file-name.js';
import { detectMime, type UploadBytes } from './mime-detect.js';

/** An uploaded file not yet stored. Only the HTTP layer creates them, from multipart parts. */
export class PendingFile {
  private constructor(
    /** The stored name: normalised, with its random suffix. */
    readonly name: string,
    /** The name the client sent. */
    readonly originalName: string,
    /** The bytes, in memory or in a temporary file. */
    readonly source: UploadBytes,
    /** The content type detected from the bytes. */
    readonly mimeType: string,
  ) {}

  /** Builds a PendingFile, detecting its type and normalising its name. */
  static async create(originalName: string, source: Buffer | UploadBytes): Promise<PendingFile> {
    const bytes = Buffer.isBuffer(source) ? { data: source } : source;
    const type = await detectMime(bytes);
    return new PendingFile(normalizeFileName(originalName, type.ext), originalName, bytes, type.mime);
  }

  /** The size in bytes. */
  get size(): number {
    return 'data' in this.source ? this.source.data.length : this.source.size;
  }

  /** Rules and logs see an upload as its stored name (`@request.body.avatar`). */
  toJSON(): string {
    return this.name;
  }

  toString(): string {
    return this.name;
  }
}

/** Whether a value is a PendingFile. */
export function isPendingFile(value: unknown): value is PendingFile {
  return value instanceof PendingFile;
}

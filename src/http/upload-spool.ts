/**
 * An UploadSpool keeps one request's uploaded files on disk while the request is
 * handled (issue 10: bodies are streamed), so a large upload holds a file, not memory.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** One temporary file of a spool. */
export interface SpoolFile {
  path: string;
  stream: WriteStream;
}

/**
 * The temporary files of one request under `dir` (created on demand). The HTTP layer
 * calls removeAll when the response closes, whatever the outcome: a file stored by then
 * was moved away, every other one (refused, rolled back, aborted) goes.
 */
export class UploadSpool {
  private readonly files: SpoolFile[] = [];
  private closed = false;

  /** `onWritten` is told how many bytes reached disk (they no longer count as held in memory). */
  constructor(
    private readonly dir: string,
    readonly onWritten: (bytes: number) => void,
  ) {}

  /** Opens a new temporary file; after removeAll, the file is removed as soon as it is open. */
  open(): SpoolFile {
    if (this.files.length === 0) mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, randomBytes(16).toString('hex'));
    // SECURITY: created with O_EXCL under an unguessable name, readable by this user only.
    const file = { path, stream: createWriteStream(path, { flags: 'wx', mode: 0o600 }) };
    this.files.push(file);
    if (this.closed) remove(file);
    return file;
  }

  /** Stops every write and removes every file still in the spool's folder; safe to call twice. */
  removeAll(): void {
    this.closed = true;
    for (const file of this.files) remove(file);
  }
}

/** Removes a file once its stream is closed, so an open still pending cannot recreate it after. */
function remove(file: SpoolFile): void {
  const unlink = (): void => void rm(file.path, { force: true }).catch(() => undefined);
  if (file.stream.closed) return unlink();
  file.stream.once('close', unlink);
  file.stream.destroy();
}

/**
 * Multipart bodies (docs/api.md §1.1), read with busboy: form entries in the order sent and
 * the uploaded files, under one total size limit. Text parts are held in memory; files
 * go to temporary files when the request has an UploadSpool (issue 10), else to memory.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import { AppError, badRequest, tooLarge } from '../errors/app-error.js';
import type { UploadBytes } from '../core/files/mime-detect.js';
import { INVALID_BODY_MESSAGE, parseSecureJson, type JsonParser } from './json-body.js';
import type { UploadSpool } from './upload-spool.js';

/** One uploaded file of a multipart request: in memory, or in a temporary file of its request's spool. */
export type UploadedFile = { filename: string; mimetype: string } & UploadBytes;

/** At most this many parts in one multipart body (413 beyond), as @fastify/multipart allowed. */
const MAX_PARTS = 1000;

/** The longest part name accepted, in bytes (400 beyond). */
const MAX_PART_NAME_BYTES = 1024;

/** busboy's error for a body that ends before the closing boundary (an empty one included). */
const UNEXPECTED_END = 'Unexpected end of multipart data';

/** One part of a multipart body, in the order it was sent. */
type Part =
  | { name: string; value: unknown }
  | { name: string; filename: string | undefined; mimetype: string; chunks: Buffer[] }
  | { name: string; filename: string; mimetype: string; path: string; size: number };

/** The entries and files of one multipart body. */
interface MultipartForm {
  entries: Array<[string, unknown]>;
  files: Record<string, UploadedFile[]>;
}

/**
 * Reads every part of a multipart body, enforcing one total size limit over fields and
 * files; with a `spool`, each named file part is written to a temporary file of it (the
 * caller removes them, see UploadSpool). Settles exactly once, on the first failure
 * (client abort included), always with an AppError (see toMultipartError).
 */
export function readMultipart(headers: IncomingHttpHeaders, payload: Readable, limit: number, parseJson: JsonParser, spool?: UploadSpool): Promise<MultipartForm> {
  if (Number(headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const parts: Part[] = [];
    let total = 0;
    let settled = false;
    let sawData = false;
    let parser: BusboyInstance | undefined;
    /** One promise per spooled file, settled once it is written and closed. */
    const writes: Array<Promise<void>> = [];

    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      // Stops the writes at once; the files go too (again when the response closes).
      spool?.removeAll();
      // The rest of the body is read and dropped; Fastify closes the connection after a parser error.
      if (parser) payload.unpipe(parser);
      payload.resume();
      reject(toMultipartError(err));
    };
    const count = (bytes: number): boolean => {
      total += bytes;
      if (total > limit) fail(tooLarge());
      return !settled;
    };
    // SECURITY: a name of Object.prototype (`__proto__`, `constructor`, …) is refused, as
    // @fastify/multipart did: the files map and the body are plain objects. busboy never
    // truncates multipart names (its fieldNameSize applies to urlencoded only): checked here.
    const badName = (name: string): boolean => {
      if (name in Object.prototype || Buffer.byteLength(name) > MAX_PART_NAME_BYTES) fail(badRequest(INVALID_BODY_MESSAGE));
      return settled;
    };

    // Listened to before anything can fail, so no error of the body's stream goes unhandled.
    payload.on('error', fail);
    payload.on('close', () => {
      // A client that hangs up mid-body: busboy would wait for the rest forever.
      if (!payload.readableEnded) fail(new Error('the request closed before the multipart body ended'));
    });
    payload.once('data', () => {
      sawData = true;
    });
    try {
      parser = new Busboy({
        headers: headers as BusboyHeaders,
        limits: { parts: MAX_PARTS, fieldSize: limit, fileSize: limit },
      });
    } catch (err) {
      // A missing boundary.
      return fail(err);
    }

    parser.on('field', (name: string | undefined, value, _nameTruncated, valueTruncated, _encoding, mimetype) => {
      if (settled || (name && badName(name))) return;
      let parsed: unknown = value;
      if (mimetype.startsWith('application/json')) {
        // A part sent as application/json is parsed here, like @fastify/multipart did; a
        // truncated one can never be valid JSON.
        if (valueTruncated) return fail(badRequest(INVALID_BODY_MESSAGE));
        try {
          parsed = parseSecureJson(parseJson, value);
        } catch (err) {
          return fail(err);
        }
      } else if (valueTruncated) {
        return fail(tooLarge());
      }
      // Go's multipart reader (PocketBase) skips a part without a name; its bytes still count.
      if (count(Buffer.byteLength(value)) && name) parts.push({ name, value: parsed });
    });

    parser.on('file', (name: string | undefined, file, filename: string | undefined, _encoding, mimetype) => {
      // A body that ends inside this part fails the part's stream too.
      file.on('error', fail);
      file.on('limit', () => fail(tooLarge()));
      const named = name !== undefined && name !== '' && !badName(name);
      // Go's multipart reader treats a part without a filename as a plain value (see
      // collectParts): held in memory with the text parts, never spooled.
      if (named && filename && spool) return spoolFile(name, filename, mimetype, file);
      const part = named ? { name, filename, mimetype, chunks: [] as Buffer[] } : undefined;
      if (part) parts.push(part);
      // Always read to its end: busboy finishes only once every file stream has ended.
      file.on('data', (chunk: Buffer) => {
        if (count(chunk.length)) part?.chunks.push(chunk);
      });
    });

    /**
     * Writes a file part to a temporary file, with backpressure: the part (and so the
     * body) is paused while the disk catches up, so memory holds only what is in flight.
     */
    function spoolFile(name: string, filename: string, mimetype: string, file: Readable): void {
      let opened: ReturnType<UploadSpool['open']>;
      try {
        opened = spool!.open();
      } catch (err) {
        return fail(err);
      }
      const { path, stream } = opened;
      const part = { name, filename, mimetype, path, size: 0 };
      parts.push(part);
      writes.push(new Promise((resolve) => stream.once('close', resolve)));
      stream.on('error', fail);
      file.on('data', (chunk: Buffer) => {
        if (!count(chunk.length)) return;
        part.size += chunk.length;
        const more = stream.write(chunk, (err) => {
          if (!err) spool!.onWritten(chunk.length);
        });
        if (!more) {
          file.pause();
          stream.once('drain', () => file.resume());
        }
      });
      file.on('end', () => {
        if (!settled) stream.end();
      });
    }

    parser.on('partsLimit', () => fail(tooLarge()));
    parser.on('error', (err: unknown) => {
      // An empty body is an empty form, not truncated multipart data.
      if (!sawData && (err as Error | null)?.message === UNEXPECTED_END) finish();
      else fail(err);
    });
    parser.on('finish', finish);
    payload.pipe(parser);

    function finish(): void {
      if (settled) return;
      // Every spooled file is complete on disk before the form is handed over.
      void Promise.all(writes).then(() => {
        if (settled) return;
        settled = true;
        resolve(collectParts(parts));
      });
    }
  });
}

/** Turns the parts into form entries and files, in the order they were sent. */
function collectParts(parts: Part[]): MultipartForm {
  const entries: Array<[string, unknown]> = [];
  const files: Record<string, UploadedFile[]> = {};
  for (const part of parts) {
    if ('path' in part) {
      (files[part.name] ??= []).push({ filename: part.filename, mimetype: part.mimetype, path: part.path, size: part.size });
      continue;
    }
    if (!('chunks' in part)) {
      entries.push([part.name, part.value]);
      continue;
    }
    const data = Buffer.concat(part.chunks);
    // Go's multipart reader treats a part without a filename as a plain value (busboy
    // calls an application/octet-stream part a file even without one).
    if (!part.filename) entries.push([part.name, data.toString('utf8')]);
    else (files[part.name] ??= []).push({ filename: part.filename, mimetype: part.mimetype, data });
  }
  return { entries, files };
}

/**
 * Maps multipart failures (busboy's included) to the spec's 413 or 400; a failure of the
 * server's own disk (a temporary file that cannot be written) stays a 500.
 */
function toMultipartError(err: unknown): Error {
  if (err instanceof AppError) return err;
  // Node's system errors (ENOSPC, EACCES, …) carry the failing call; the error handler hides them.
  if (typeof (err as NodeJS.ErrnoException | null)?.syscall === 'string') return err as Error;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return tooLarge();
  return badRequest(INVALID_BODY_MESSAGE, {}, err);
}

/**
 * Request body parsing of spec §1.1: JSON objects, multipart and urlencoded forms with
 * PocketBase's value inference and `@jsonPayload`, and 400 for any other non-empty body.
 * Every parsed request ends with `request.body` as a plain object.
 */
import { Transform } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, badRequest, tooLarge } from '../errors/app-error.js';

/** One uploaded file of a multipart request, held in memory. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The file parts of a multipart request by field name ({} otherwise).
     * NOTE: filled by a preValidation hook; it is null in onRequest/preParsing hooks.
     */
    uploadedFiles: Record<string, UploadedFile[]>;
  }
  interface FastifyContextConfig {
    /** The body limit of this request, for routes whose limit depends on it (see dynamicBodyLimit). */
    bodyLimitFor?: (request: FastifyRequest) => number;
  }
}

/** The default request body limit: 32 MiB (spec §1.1). */
export const DEFAULT_BODY_LIMIT = 32 << 20;

/** The multipart/urlencoded key whose values are JSON objects merged into the body without inference. */
export const JSON_PAYLOAD_KEY = '@jsonPayload';

/** The 400 message for a body that cannot be read (PocketBase's record/auth endpoints use it). */
export const INVALID_BODY_MESSAGE = 'Failed to load the submitted data due to invalid formatting.';

/** The 400 message for a non-empty body of an unsupported type (spec §1.1). */
export const UNSUPPORTED_CONTENT_TYPE_MESSAGE = 'Unsupported Content-Type.';

/**
 * The route options of a route whose body limit depends on the request (record
 * create/update: 32 MiB plus the collection's file/editor/json allowances, spec §1.1).
 * Spread into the route's options: `app.post(path, dynamicBodyLimit(fn), handler)`.
 */
export function dynamicBodyLimit(bodyLimitFor: (request: FastifyRequest) => number): { bodyLimit: number; config: { bodyLimitFor: (request: FastifyRequest) => number } } {
  // The parsers' own cap is lifted; the preParsing hook below enforces the request's limit.
  return { bodyLimit: Number.MAX_SAFE_INTEGER, config: { bodyLimitFor } };
}

function dynamicLimitOf(request: FastifyRequest): number | undefined {
  const resolve = request.routeOptions.config?.bodyLimitFor;
  return resolve ? resolve(request) : undefined;
}

/** A pass-through stream that fails with 413 once more than `limit` bytes went through. */
function limitStream(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(tooLarge());
      else callback(null, chunk);
    },
  });
}

/** Options of registerBodyParsers. */
export interface BodyParserOptions {
  /** The largest body accepted in bytes when a route sets no `bodyLimit` of its own. */
  bodyLimit: number;
}

/**
 * Registers the content-type parsers of spec §1.1 on an instance (call it on the root
 * before any route plugin, so every route inherits them). A route may raise or lower its
 * limit with Fastify's route option `bodyLimit`.
 */
export async function registerBodyParsers(app: FastifyInstance, options: BodyParserOptions): Promise<void> {
  const { bodyLimit } = options;
  const parseJson = app.getDefaultJsonParser('error', 'error');

  // Fastify's defaults (JSON that rejects an empty body, text/plain) do not fit spec §1.1.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, text, done) => {
    // The SDK sends `Content-Type: application/json` with no body on GET/DELETE.
    if (text.length === 0 || request.is404) return done(null, {});
    try {
      const value = parseSecureJson(parseJson, text as string);
      if (!isPlainObject(value)) return done(badRequest(INVALID_BODY_MESSAGE), undefined);
      done(null, value);
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (request, text, done) => {
    if (request.is404) return done(null, {});
    try {
      done(null, buildFormBody(new URLSearchParams(text as string), parseJson));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Everything else, and a body without Content-Type: fine when empty, 400 otherwise.
  // NOTE: routing comes first in PocketBase, so an unknown route with any body is a 404;
  // every parser here lets the body go when the request is headed for the 404 handler.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, data, done) => {
    if ((data as Buffer).length === 0 || request.is404) return done(null, {});
    done(badRequest(UNSUPPORTED_CONTENT_TYPE_MESSAGE), undefined);
  });

  // @fastify/multipart only marks the request; the parts are read in preValidation below.
  await app.register(fastifyMultipart, { limits: { fieldNameSize: 1024 } });

  // Routes with a per-request limit (dynamicBodyLimit): non-multipart bodies pass a
  // counting stream; multipart ones are counted by readMultipart with the same limit.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const limit = dynamicLimitOf(request);
    if (limit === undefined || /^multipart\//i.test(request.headers['content-type'] ?? '')) return done(null, payload);
    const declared = request.headers['content-length'];
    if (Number(declared) > limit) return done(tooLarge(), payload);
    // Node's parser delivers exactly Content-Length bytes, so a declared length within the
    // limit needs no counting; only chunked bodies (no length up front) are counted.
    if (declared !== undefined && request.headers['transfer-encoding'] === undefined) return done(null, payload);
    // NOTE: not stream.pipeline, which would destroy the socket on a 413 before the answer
    // is sent; a failing source (client abort) still ends the counted stream.
    const counted = limitStream(limit);
    payload.on('error', (err) => counted.destroy(err));
    done(null, payload.pipe(counted));
  });

  // Declared up front so every request object keeps one shape.
  app.decorateRequest('uploadedFiles', null as unknown as Record<string, UploadedFile[]>);
  const serverLimit = app.initialConfig.bodyLimit;
  // A callback hook: the common non-multipart case stays synchronous, with no promise per request.
  app.addHook('preValidation', (request, _reply, done) => {
    request.uploadedFiles = {};
    if (!request.isMultipart() || request.is404) {
      if (request.body === undefined || request.body === null) request.body = {};
      return done();
    }
    // NOTE: routeOptions.bodyLimit falls back to the server's limit; only a route's own
    // value should override the limit this plugin was given.
    const routeLimit = request.routeOptions.bodyLimit;
    const limit = dynamicLimitOf(request) ?? (routeLimit !== undefined && routeLimit !== serverLimit ? routeLimit : bodyLimit);
    readMultipart(request, limit).then(({ entries, files }) => {
      request.body = buildFormBody(entries, parseJson);
      request.uploadedFiles = files;
      done();
    }).catch((err: Error) => done(err));
  });
}

type JsonParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

/** Runs Fastify's prototype-poisoning-safe JSON parser synchronously; a bad document throws a 400. */
function parseSecureJson(parser: JsonParser, text: string): unknown {
  let result: unknown;
  let failed = false;
  // The default parser calls back synchronously.
  parser({} as FastifyRequest, text, (err, value) => {
    failed = err !== null;
    result = value;
  });
  if (failed) throw badRequest(INVALID_BODY_MESSAGE);
  return result;
}

/**
 * Builds a body from form entries (spec §1.1): a key sent once gives a value, several
 * times an array; string values are inferred; `@jsonPayload` objects are merged last, in order.
 */
export function buildFormBody(entries: Iterable<[string, unknown]>, parseJson: JsonParser): Record<string, unknown> {
  const grouped = new Map<string, unknown[]>();
  const payloads: unknown[] = [];
  for (const [key, value] of entries) {
    // SECURITY: a `__proto__` key would replace the body's prototype on assignment.
    if (key === '__proto__') throw badRequest(INVALID_BODY_MESSAGE);
    if (key === JSON_PAYLOAD_KEY) {
      payloads.push(value);
      continue;
    }
    const inferred = inferValue(typeof value === 'string' ? value : JSON.stringify(value));
    const list = grouped.get(key);
    if (list) list.push(inferred);
    else grouped.set(key, [inferred]);
  }
  const body: Record<string, unknown> = {};
  for (const [key, values] of grouped) body[key] = values.length === 1 ? values[0] : values;
  for (const payload of payloads) {
    // A part sent as application/json arrives already parsed by @fastify/multipart.
    const value = typeof payload === 'string' ? parseSecureJson(parseJson, payload) : payload;
    if (!isPlainObject(value)) throw badRequest(INVALID_BODY_MESSAGE);
    for (const [key, item] of Object.entries(value)) body[key] = item;
  }
  return body;
}

/**
 * Infers a form string the way PocketBase does: '' stays '', 'true'/'false' become
 * booleans, a number whose shortest formatting is the string itself becomes a number.
 */
export function inferValue(raw: string): unknown {
  if (raw === '') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^[-\d][-.\d]*$/.test(raw)) {
    const value = Number(raw);
    if (Number.isFinite(value) && formatFloat(value) === raw) return value;
  }
  return raw;
}

/**
 * Formats a number like Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits
 * that round-trip, never in exponent notation.
 */
export function formatFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  let text: string;
  if (exponent < 0) {
    text = '0.' + '0'.repeat(-exponent - 1) + digits;
  } else if (digits.length <= exponent + 1) {
    text = digits + '0'.repeat(exponent + 1 - digits.length);
  } else {
    text = digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
  }
  return value < 0 ? '-' + text : text;
}

/** Reads every part of a multipart request, enforcing one total size limit over fields and files. */
async function readMultipart(
  request: FastifyRequest,
  limit: number,
): Promise<{ entries: Array<[string, unknown]>; files: Record<string, UploadedFile[]> }> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) throw tooLarge();
  const entries: Array<[string, unknown]> = [];
  const files: Record<string, UploadedFile[]> = {};
  let total = 0;
  const count = (bytes: number): void => {
    total += bytes;
    if (total > limit) throw tooLarge();
  };
  try {
    for await (const part of request.parts({ limits: { fieldSize: limit, fileSize: limit } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        count(data.length);
        // Go's multipart reader treats a part without a filename as a plain value (busboy
        // calls an application/octet-stream part a file even without one).
        if (!part.filename) {
          entries.push([part.fieldname, data.toString('utf8')]);
          continue;
        }
        (files[part.fieldname] ??= []).push({ filename: part.filename, mimetype: part.mimetype, data });
      } else {
        if (part.valueTruncated) throw tooLarge();
        if (part.fieldnameTruncated) throw badRequest(INVALID_BODY_MESSAGE);
        const value = part.value;
        count(Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value) ?? ''));
        entries.push([part.fieldname, value]);
      }
    }
  } catch (err) {
    throw toMultipartError(err);
  }
  return { entries, files };
}

/** Maps @fastify/multipart and busboy failures to the spec's 413 or 400; nothing raw reaches the client. */
function toMultipartError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return tooLarge();
  return badRequest(INVALID_BODY_MESSAGE, {}, err);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

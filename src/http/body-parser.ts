/**
 * Request body parsing of docs/api.md §1.1: JSON objects, multipart and urlencoded forms with
 * PocketBase's value inference and `@jsonPayload`, and 400 for any other non-empty body.
 * Every parsed request ends with `request.body` as a plain object.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, tooLarge } from '../errors/app-error.js';
import { INVALID_BODY_MESSAGE, parseSecureJson, type JsonParser } from './json-body.js';
import { dropUnreadBody } from './drop-unread-body.js';
import { BodyBudget, DEFAULT_BODY_MEMORY_LIMIT } from './body-budget.js';
import { readMultipart, type UploadedFile } from './multipart-body.js';
import { UploadSpool } from './upload-spool.js';
import { isPlainObject } from '../tools/is-plain-object.js';
import { routeOptionsOf } from './route-options.js';

export { INVALID_BODY_MESSAGE } from './json-body.js';
export type { UploadedFile } from './multipart-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The file parts of a multipart request by field name ({} otherwise).
     * NOTE: filled by the multipart parser, else {} from preValidation on; null in onRequest/preParsing hooks.
     */
    uploadedFiles: Record<string, UploadedFile[]>;
    /** Where this request's uploaded files are written (multipart bodies, with an uploadDir); else null. */
    uploadSpool: UploadSpool | null;
  }
  interface FastifyContextConfig {
    /** The body limit of this request, for routes whose limit depends on it (see dynamicBodyLimit). */
    bodyLimitFor?: (request: FastifyRequest) => number;
  }
}

/** The default request body limit: 32 MiB (docs/api.md §1.1). */
export const DEFAULT_BODY_LIMIT = 32 << 20;

/** Whether a Content-Type header names multipart/form-data, as the multipart parser below matches it. */
function isMultipart(contentType: string | undefined): boolean {
  return (contentType ?? '').trimStart().slice(0, 19).toLowerCase() === 'multipart/form-data';
}

/** The multipart/urlencoded key whose values are JSON objects merged into the body without inference. */
export const JSON_PAYLOAD_KEY = '@jsonPayload';

/** The 400 message for a non-empty body of an unsupported type (docs/api.md §1.1). */
export const UNSUPPORTED_CONTENT_TYPE_MESSAGE = 'Unsupported Content-Type.';

/**
 * The route options of a route whose body limit depends on the request (record
 * create/update: 32 MiB plus the collection's file/editor/json allowances, docs/api.md §1.1).
 * Spread into the route's options: `app.post(path, dynamicBodyLimit(fn), handler)`.
 */
export function dynamicBodyLimit(bodyLimitFor: (request: FastifyRequest) => number): { bodyLimit: number; config: { bodyLimitFor: (request: FastifyRequest) => number } } {
  // The parsers' own cap is lifted; the preParsing hook below enforces the request's limit.
  return { bodyLimit: Number.MAX_SAFE_INTEGER, config: { bodyLimitFor } };
}

function dynamicLimitOf(request: FastifyRequest): number | undefined {
  const resolve = routeOptionsOf(request).config?.bodyLimitFor;
  return resolve ? resolve(request) : undefined;
}

/** Options of registerBodyParsers. */
export interface BodyParserOptions {
  /** The largest body accepted in bytes when a route sets no `bodyLimit` of its own. */
  bodyLimit: number;
  /** The most body bytes held in memory at once by all requests (default 256 MiB); 503 beyond. */
  bodyMemoryLimit?: number;
  /**
   * The folder uploaded files are written to while their request is handled (issue 10);
   * without it, they are held in memory.
   */
  uploadDir?: string;
}

/**
 * Registers the content-type parsers of docs/api.md §1.1 on an instance (call it on the root
 * before any route plugin, so every route inherits them). A route may raise or lower its
 * limit with Fastify's route option `bodyLimit`.
 */
export async function registerBodyParsers(app: FastifyInstance, options: BodyParserOptions): Promise<void> {
  const { bodyLimit, uploadDir } = options;
  const parseJson = app.getDefaultJsonParser('error', 'error');

  // Fastify's defaults (JSON that rejects an empty body, text/plain) do not fit docs/api.md §1.1.
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

  // NOTE: multipart is parsed here with busboy rather than with @fastify/multipart (docs/architecture.md),
  // which is wrapped with fastify-plugin and adds two async hooks (onRequest, onResponse) to
  // every request of every route for temp files Plinth never writes. Measured on GET
  // /api/health (server CPU per request under autocannon): 20–21 µs with it, 17–18 µs
  // without; interleaved A/B of the bundled server, 35.2 → 32.9 µs on a busier machine,
  // with ~7% more requests per second. The rules it applied are ported in readMultipart.
  const serverLimit = app.initialConfig.bodyLimit;
  app.addContentTypeParser('multipart/form-data', (request, payload, done) => {
    if (request.is404) return done(null, {});
    // NOTE: routeOptions.bodyLimit falls back to the server's limit; only a route's own
    // value should override the limit these parsers were given.
    const routeLimit = routeOptionsOf(request).bodyLimit;
    const limit = dynamicLimitOf(request) ?? (routeLimit !== undefined && routeLimit !== serverLimit ? routeLimit : bodyLimit);
    readMultipart(request.headers, payload, limit, parseJson, request.uploadSpool ?? undefined).then(({ entries, files }) => {
      request.uploadedFiles = files;
      return buildFormBody(entries, parseJson);
    }).then((body) => done(null, body), (err: Error) => done(err, undefined));
  });

  // Every body is charged to the node's budget of body bytes in memory (503 past it), and
  // routes with a per-request limit (dynamicBodyLimit) get it enforced: a declared length
  // up front, a chunked body as it is counted (readMultipart counts the parts on top).
  const budget = new BodyBudget(options.bodyMemoryLimit ?? DEFAULT_BODY_MEMORY_LIMIT);
  app.addHook('preParsing', (request, reply, payload, done) => {
    const length = request.headers['content-length'];
    const dynamic = dynamicLimitOf(request);
    // No body: nothing to charge (a GET, most DELETEs). NOTE: a body with neither length
    // nor chunked encoding is not HTTP/1.1, but inject() sends streams so: counted there.
    if (length === '0' || (length === undefined && request.headers['transfer-encoding'] === undefined && dynamic === undefined)) return done(null, payload);
    const declared = length === undefined ? undefined : Number(length);
    if (declared !== undefined && !request.is404 && declared > (dynamic ?? routeOptionsOf(request).bodyLimit ?? bodyLimit)) {
      dropUnreadBody(request, reply);
      return done(tooLarge(), payload);
    }
    let counted: Readable;
    try {
      counted = budget.admit(request, reply, payload, declared, dynamic);
    } catch (err) {
      return done(err as Error, payload);
    }
    if (uploadDir !== undefined && isMultipart(request.headers['content-type'])) {
      // Upload bytes written to disk are no longer held in memory: handed back to the budget.
      const spool = new UploadSpool(uploadDir, (bytes) => budget.release(request, bytes));
      request.uploadSpool = spool;
      // SECURITY: every exit (stored, refused, rolled back, aborted, failed) ends with the
      // response's close: the files left in the spool go then; stored ones were moved away.
      reply.raw.once('close', () => spool.removeAll());
    }
    done(null, counted);
  });

  // Declared up front so every request object keeps one shape.
  app.decorateRequest('uploadedFiles', null as unknown as Record<string, UploadedFile[]>);
  app.decorateRequest('uploadSpool', null);
  // A callback hook: it runs on every request, and stays synchronous, with no promise.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.uploadedFiles === null) request.uploadedFiles = {};
    if (request.body === undefined || request.body === null) request.body = {};
    done();
  });
}

/**
 * Builds a body from form entries (docs/api.md §1.1): a key sent once gives a value, several
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
    // A part sent as application/json arrives already parsed (readMultipart).
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


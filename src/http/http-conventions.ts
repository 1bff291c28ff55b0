/**
 * The cross-cutting HTTP conventions of docs/api.md §1 in one call: the Fastify server options
 * they need, error rendering, body parsing, security headers, CORS, the `fields` picker
 * and the JSON response format.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { LogController, type FastifyHttpOptions, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { DEFAULT_BODY_LIMIT, registerBodyParsers } from './body-parser.js';
import { notFound } from '../errors/app-error.js';
import { registerErrorHandler, sendError, toAppError } from './error-handler.js';
import { isListResult, parseFieldsPicker, type FieldsPicker } from './fields-picker.js';
import { firstQueryValue } from './list-params.js';
import { registerCors, registerSecurityHeaders } from './security-headers.js';
import { requestIdOf } from './request-id.js';
import { registerRouteOptions, routeOptionsOf } from './route-options.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on a route whose 2xx JSON body must not go through the `fields` picker. */
    skipFieldsPicker?: boolean;
  }
  interface FastifyRequest {
    /** This request's parsed `?fields=`, once read; null before (see fieldsPickerOf). */
    fieldsPicker: FieldsPicker | null;
  }
}

/** Options of registerHttpConventions. */
export interface HttpConventionsOptions {
  /** Allowed CORS origins (`serve --origins`); ['*'] allows every origin. */
  origins: string[];
  /** Default request body limit in bytes (docs/api.md §1.1: 32 MiB). */
  bodyLimit: number;
  /** The most body bytes all requests together hold in memory (default 256 MiB). */
  bodyMemoryLimit?: number;
  /** Where uploaded files wait while their request is handled (else in memory). */
  uploadDir?: string;
}

/** Inputs of fastifyOptions. */
export interface ServerOptionsInput {
  /** Must equal the bodyLimit given to registerHttpConventions. */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
  /** Seconds a client has to send a whole request, headers and body (default 300). */
  requestTimeout?: number;
}

/** The Fastify server options the conventions of docs/api.md §1 rely on. */
export function fastifyOptions(input: ServerOptionsInput = {}): FastifyHttpOptions<Server> {
  return {
    logger: input.logger ?? false,
    bodyLimit: input.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // GET routes also answer HEAD (docs/api.md §1.1).
    exposeHeadRoutes: true,
    routerOptions: {
      // Routing is exact: `/x/` does not match `/x` and gets the 404 handler (docs/api.md §1.1).
      ignoreTrailingSlash: false,
      ignoreDuplicateSlashes: false,
      // NOTE: find-my-way's default of 100 would 404 long file names in /api/files/….
      maxParamLength: 500,
    },
    // Request ids (docs/operations.md §Logs): a load balancer's sane X-Request-Id is kept, else ours.
    // SECURITY: requestIdOf keeps only short ids of [A-Za-z0-9._-], so a log line cannot be forged.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Fastify's access-log pair is off: registerRequestLogs writes one line per request at info
    // (and none for a success of a route with `apis.skipSuccessActivityLog()`).
    logController: new LogController({ disableRequestLogging: true }),
    // SECURITY: X-Forwarded-* is ignored unless the operator opts in behind a known proxy.
    trustProxy: false,
    // SECURITY: the whole request (headers and body) must arrive within requestTimeout
    // (default 5 minutes), and Node's headersTimeout (60 s) bounds the head alone, so a
    // slow client cannot hold a socket open by trickling bytes. Responses are not
    // bounded, so realtime SSE streams stay open (connectionTimeout 0 = no idle cut).
    requestTimeout: (input.requestTimeout ?? 300) * 1000,
    connectionTimeout: 0,
    return503OnClosing: true,
    // NOTE: Node's 16 KiB default would reject valid lists: a 3500-character filter
    // (docs/api.md §1.7) percent-encodes to up to ~31 KiB. 64 KiB fits every allowed filter.
    http: { maxHeaderSize: MAX_HEADER_SIZE },
    clientErrorHandler: sendClientError,
    // A path segment that is not valid percent-encoding (`%FF`) or longer than
    // maxParamLength names no collection or record: the JSON 404 of docs/api.md §1.1/§1.3,
    // not Fastify's own 400/414 body.
    frameworkErrors: (error, _request, reply) => {
      const code = (error as { code?: unknown }).code;
      const unknownPath = code === 'FST_ERR_BAD_URL' || code === 'FST_ERR_MAX_PARAM_LENGTH';
      sendError(reply, unknownPath ? notFound() : toAppError(error));
    },
  };
}

/** The largest request head (request line and headers) accepted, in bytes. */
export const MAX_HEADER_SIZE = 64 * 1024;

const CLIENT_ERRORS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request timeout.'],
  HPE_HEADER_OVERFLOW: [431, 'Request header fields too large.'],
};

/**
 * Answers a request Node could not parse (oversized head, malformed HTTP, timeout)
 * with the error body of docs/api.md §1.3 instead of Fastify's own shape, then closes.
 */
function sendClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Something went wrong while processing your request.'];
  const body = JSON.stringify({ status, message, data: {} }) + '\n';
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

/**
 * Registers every convention of docs/api.md §1 on the root instance. Await it before
 * registering route plugins: parsers and handlers are inherited by plugins created later.
 */
export async function registerHttpConventions(app: FastifyInstance, options: HttpConventionsOptions): Promise<void> {
  registerRouteOptions(app);
  registerErrorHandler(app);
  registerSecurityHeaders(app);
  await registerCors(app, { origins: options.origins });
  await registerBodyParsers(app, { bodyLimit: options.bodyLimit, bodyMemoryLimit: options.bodyMemoryLimit, uploadDir: options.uploadDir });
  registerJsonResponses(app);
}

/**
 * Applies `?fields=` to 2xx JSON bodies (docs/api.md §1.8) and makes every JSON body end with
 * `\n` under `Content-Type: application/json` (docs/api.md §1.1).
 */
export function registerJsonResponses(app: FastifyInstance): void {
  app.decorateRequest('fieldsPicker', null);

  // A request that may write has its `fields` parsed before its handler runs: a bad one
  // is refused with nothing written, where picking it only at serialization answered 400
  // after the write had committed. After the route's own onRequest hooks and the body,
  // so an unknown collection, a refused caller or a bad body is still answered first, as
  // PocketBase answers them. GET and HEAD write nothing and parse it at serialization:
  // files and realtime streams, which are not JSON, never read it.
  app.addHook('preHandler', (request, _reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.is404 || routeOptionsOf(request).config?.skipFieldsPicker) return done();
    try {
      fieldsPickerOf(request);
      done();
    } catch (err) {
      done(err as Error);
    }
  });

  app.addHook('preSerialization', (request, reply, payload, done) => {
    const status = reply.statusCode;
    if (status < 200 || status > 299 || routeOptionsOf(request).config?.skipFieldsPicker) return done(null, payload);
    try {
      const picker = fieldsPickerOf(request);
      done(null, isListResult(payload) ? picker.pickList(payload) : picker.pick(payload));
    } catch (err) {
      done(err as Error);
    }
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof payload !== 'string' || typeof type !== 'string' || !type.startsWith('application/json')) {
      return done(null, payload);
    }
    // Fastify's default adds `; charset=utf-8`; PocketBase sends the bare type.
    if (type !== 'application/json') reply.header('content-type', 'application/json');
    done(null, payload.endsWith('\n') ? payload : payload + '\n');
  });
}

/** The request's `fields` picker, parsed on first use; a bad `fields` throws a 400 AppError. */
export function fieldsPickerOf(request: FastifyRequest): FieldsPicker {
  request.fieldsPicker ??= parseFieldsPicker(firstQueryValue(request.query, 'fields'));
  return request.fieldsPicker;
}

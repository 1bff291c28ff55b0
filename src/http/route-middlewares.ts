/**
 * `app.apis` (docs/hooks.md §3): the middlewares of PocketBase's `$apis` for custom
 * routes, with its statuses and messages (apis/middlewares*.go), and
 * `recordAuthResponse`, which answers a custom sign-in as the built-in auth
 * endpoints do.
 */
import { promisify } from 'node:util';
import { createGzip, gzip as gzipCallback } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { AuthService } from '../core/auth/auth-service.js';
import type { AuthMethod } from '../core/auth/mfa-service.js';
import type { RecordModel } from '../core/records/record-model.js';
import type { RecordService } from '../core/records/record-service.js';
import { AppError, badRequest, forbidden, tooLarge } from '../errors/app-error.js';
import { collectionTags } from '../core/records/record-hooks.js';
import { authResponse, requestMfaId } from './auth-response.js';
import { authEventAnswer, authRequestEvent, type AuthRequestHooks } from './auth-request-hooks.js';
import type { Operation } from '../core/openapi/openapi-types.js';
import type { Middleware } from './custom-routes.js';
import type { RequestEvent } from './request-event.js';
import { skipSuccessLog } from './request-log.js';

const gzipBytes = promisify(gzipCallback);

/** The middlewares and helpers app code uses on its routes. */
export interface Apis {
  /** 401 for a guest; with collection names, 403 for a record of any other collection. */
  requireAuth(...collections: string[]): Middleware;
  /** 401 for a guest, 403 for anyone but a superuser. */
  requireSuperuserAuth(): Middleware;
  /** A superuser, or the record whose id is the path parameter `ownerIdParam` (default `id`). */
  requireSuperuserOrOwnerAuth(ownerIdParam?: string): Middleware;
  /** 400 for a signed-in request. */
  requireGuestOnly(): Middleware;
  /** Limits the request body to `bytes` (413 beyond); 0 or less lifts the limit. */
  bodyLimit(bytes: number): Middleware;
  /** Compresses the answer with gzip when the client accepts it. */
  gzip(): Middleware;
  /** Leaves the request out of the request log unless it fails. */
  skipSuccessActivityLog(): Middleware;
  /**
   * Documents the route in `/api/openapi.json` with an OpenAPI 3.1 Operation Object
   * (summary, parameters, requestBody, responses with JSON Schemas…); it does nothing at
   * request time (docs/openapi.md, "Custom routes").
   */
  openapi(operation: Operation): Middleware;
  /**
   * Answers a completed sign-in of `record` as the built-in auth endpoints do: the
   * collection's authRule and MFA apply (`method` names the factor), then `onRecordAuthRequest`
   * runs around the answer `{token, record, meta?}` (a handler may change it, answer, or refuse).
   */
  recordAuthResponse(e: RequestEvent, record: RecordModel, method: string, meta?: unknown): Promise<void>;
}

/** What the middlewares need. */
export interface ApisDeps {
  auth: AuthService;
  records: RecordService;
  /** `onRecordAuthRequest` runs around a custom sign-in's answer too. */
  authHooks: AuthRequestHooks;
}

/** Builds `app.apis`. */
export function createApis(deps: ApisDeps): Apis {
  return {
    requireAuth: (...collections) => requireAuth(collections),
    requireSuperuserAuth: () => requireAuth(['_superusers']),
    requireSuperuserOrOwnerAuth: (ownerIdParam = '') => requireSuperuserOrOwner(ownerIdParam || 'id'),
    requireGuestOnly: () => requireGuestOnly,
    bodyLimit,
    gzip: () => gzip,
    skipSuccessActivityLog: () => skipSuccessActivityLog,
    openapi: routeOperation,
    recordAuthResponse: (e, record, method, meta) => recordAuthResponse(deps, e, record, method, meta),
  };
}

function requireAuth(collections: readonly string[]): Middleware {
  return async function requireAuth(e) {
    const auth = e.auth;
    if (!auth) throw new AppError(401, 'The request requires valid record authorization token.');
    if (collections.length > 0 && !collections.includes(auth.collection().name)) {
      throw new AppError(403, 'The authorized record is not allowed to perform this action.');
    }
    await e.next();
  };
}

function requireSuperuserOrOwner(ownerIdParam: string): Middleware {
  return async function requireSuperuserOrOwnerAuth(e) {
    const auth = e.auth;
    if (!auth) throw new AppError(401, 'The request requires superuser or record authorization token.');
    // As PocketBase: auth record ids are unique across auth collections, so the id alone decides.
    if (!e.hasSuperuserAuth() && auth.id !== e.request.pathValue(ownerIdParam)) throw forbidden();
    await e.next();
  };
}

async function requireGuestOnly(e: RequestEvent): Promise<void> {
  if (e.auth) throw badRequest('The request can be accessed only by guests.');
  await e.next();
}

/**
 * The limit is applied where Fastify reads the body: the middleware carries it as its
 * routes' `bodyLimit` option, so a larger body is refused before it is read. The check
 * here refuses a declared length over it where the middleware runs without that option.
 */
function bodyLimit(bytes: number): Middleware {
  if (typeof bytes !== 'number' || Number.isNaN(bytes)) throw new TypeError('bodyLimit: the limit must be a number of bytes');
  const check = async function bodyLimit(e: RequestEvent): Promise<void> {
    const declared = Number(e.request.headers['content-length'] ?? 0);
    if (bytes > 0 && declared > bytes) throw tooLarge();
    await e.next();
  };
  return Object.assign(check, { bodyLimit: bytes });
}

/** A middleware that only carries a route's OpenAPI operation; CustomRoutes leaves it out of the chain. */
function routeOperation(operation: Operation): Middleware {
  if (typeof operation !== 'object' || operation === null || Array.isArray(operation)) throw new TypeError('openapi: the operation must be an object');
  // A copy that must survive JSON: the document is served as JSON.
  const copy = JSON.parse(JSON.stringify(operation)) as Operation;
  const pass = async function openapi(e: RequestEvent): Promise<void> {
    await e.next();
  };
  return Object.assign(pass, { openapi: copy });
}

async function gzip(e: RequestEvent): Promise<void> {
  await e.next();
  e.setHeader('Vary', 'Accept-Encoding');
  const accepts = String(e.request.headers['accept-encoding'] ?? '').includes('gzip');
  const r = e.response;
  if (!accepts || !r || r.body === undefined || r.body === '') return;
  let body = r.body;
  // JSON answers end with a newline (docs/api.md §1.1); the convention hook cannot add it to gzip bytes.
  if (typeof body === 'string' && r.type?.startsWith('application/json') && !body.endsWith('\n')) body += '\n';
  if (typeof body === 'string' || Buffer.isBuffer(body)) r.body = await gzipBytes(body);
  else if (isReadable(body)) r.body = body.pipe(createGzip());
  else return;
  if (r.type?.startsWith('application/json')) r.type = 'application/json';
  e.setHeader('Content-Encoding', 'gzip');
}

async function skipSuccessActivityLog(e: RequestEvent): Promise<void> {
  skipSuccessLog(e.request.raw);
  await e.next();
}

async function recordAuthResponse(deps: ApisDeps, e: RequestEvent, record: RecordModel, method: string, meta: unknown): Promise<void> {
  const c = deps.auth.authCollection(record.collection().id);
  const request = e.request.raw;
  const body = await e.bindBody();
  // NOTE: an app's own method name is stored as the MFA factor; two different names complete MFA.
  const result = await deps.auth.completeAuth(c, record.valuesRef(), method as AuthMethod, e.requestInfo(), requestMfaId(request, body));
  const hook = deps.authHooks.onRecordAuthRequest;
  if (hook.isEmpty) {
    const answer = await authResponse(request, deps.records, result);
    e.json(200, meta === undefined ? answer : { ...answer, meta });
    return;
  }
  // As the built-in sign-ins (sendAuthResponse): the answer is what the chain leaves.
  const auth = authRequestEvent(deps.authHooks, request, result, method, meta);
  await hook.trigger(auth, collectionTags(c), async (ev) => {
    ev.response ??= await authEventAnswer(deps.records, ev);
  });
  e.adopt(auth);
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}

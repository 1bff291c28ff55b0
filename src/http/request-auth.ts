/**
 * Reads the `Authorization` header of every request into `request.auth`, and
 * builds the RequestInfo that rules see. A bad token is ignored (docs/api.md §1.2).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../core/auth/auth-service.js';
import { SUPERUSERS } from '../core/auth/auth-service.js';
import type { AuthInfo, RequestContext, RequestInfo } from '../core/rules/request-info.js';
import { AppError } from '../errors/app-error.js';
import { clientIp } from './client-ip.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in record, or null for a guest. */
    auth: AuthInfo | null;
  }
}

/** Adds the hook that authenticates each request. */
export function registerRequestAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('auth', null);
  // A callback hook: a guest's request (no header) costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.authorization;
    if (!header) return done();
    auth.authenticate(header).then((info) => {
      request.auth = info;
      done();
    }, done);
  });
}

/** Whether the request is signed in as a superuser. */
export function isSuperuser(request: FastifyRequest): boolean {
  return request.auth?.collection.name === SUPERUSERS;
}

/** Throws 401/403 unless the request is a superuser's (docs/api.md §2). */
export function assertSuperuser(request: FastifyRequest): void {
  if (!request.auth) throw new AppError(401, 'The request requires valid record authorization token.');
  if (!isSuperuser(request)) throw new AppError(403, 'The authorized record is not allowed to perform this action.');
}

/** The RequestInfo of an HTTP request, for rules. */
export function requestInfo(request: FastifyRequest, context: RequestContext = 'default', body: Record<string, unknown> = {}): RequestInfo {
  // NOTE: plain copies, not lazy getters: getters capturing the request made every
  // request slower (W1 CPU per request +40%) and doubled peak memory under load.
  return {
    auth: request.auth,
    isSuperuser: isSuperuser(request),
    method: request.method,
    context,
    query: firstValues(request.query),
    headers: snakeHeaders(request.headers),
    body,
    ip: clientIp(request),
  };
}

/** The first value of each query parameter. */
export function firstValues(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!query || typeof query !== 'object') return out;
  for (const [k, v] of Object.entries(query)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** Header names snake-cased and lower-cased: `X-Token` → `x_token` (docs/api.md §4.2). */
function snakeHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) {
    const v = headers[k];
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[snakeName(k)] = first;
  }
  return out;
}

// The same few header names recur on every request. Clients choose names, so the memo
// stops growing at a bound; names past it are converted each time.
const snakeNames = new Map<string, string>();
const MAX_SNAKE_NAMES = 512;

function snakeName(name: string): string {
  let snake = snakeNames.get(name);
  if (snake === undefined) {
    snake = name.toLowerCase().replace(/-/g, '_');
    if (snakeNames.size < MAX_SNAKE_NAMES) snakeNames.set(name, snake);
  }
  return snake;
}

/**
 * Reads the `Authorization` header of every request into `request.auth`, and
 * builds the RequestInfo that rules see. A bad token is ignored (spec §1.2).
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
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    request.auth = header ? await auth.authenticate(header) : null;
  });
}

/** Whether the request is signed in as a superuser. */
export function isSuperuser(request: FastifyRequest): boolean {
  return request.auth?.collection.name === SUPERUSERS;
}

/** Throws 401/403 unless the request is a superuser's (spec §2). */
export function assertSuperuser(request: FastifyRequest): void {
  if (!request.auth) throw new AppError(401, 'The request requires valid record authorization token.');
  if (!isSuperuser(request)) throw new AppError(403, 'The authorized record is not allowed to perform this action.');
}

/** The RequestInfo of an HTTP request, for rules. */
export function requestInfo(request: FastifyRequest, context: RequestContext = 'default', body: Record<string, unknown> = {}): RequestInfo {
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

function firstValues(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!query || typeof query !== 'object') return out;
  for (const [k, v] of Object.entries(query)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** Header names snake-cased and lower-cased: `X-Token` → `x_token` (spec §4.2). */
function snakeHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k.toLowerCase().replace(/-/g, '_')] = first;
  }
  return out;
}

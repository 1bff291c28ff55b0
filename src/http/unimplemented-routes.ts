/**
 * Endpoints PocketBase (v0.23 and later) has and Plinth does not yet (docs/api.md §9):
 * each answers a JSON 501 `{status, message, data: {}}` saying so, instead of a
 * bare 404 that reads as a wrong URL. Each first asks for what PocketBase's
 * endpoint asks for — a superuser (401, then 403), or for a backup download a
 * superuser's file token (403) — so a guest learns nothing more than there.
 * One row per endpoint: delete the row when the real handler lands.
 */
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { AppError, forbidden } from '../errors/app-error.js';
import { clientIp } from './client-ip.js';
import { assertSuperuser } from './request-auth.js';

/** Who may reach an endpoint in PocketBase: a signed-in superuser, or the holder of a superuser's file token. */
type Guard = 'superuser' | 'superuserFileToken';

/** One endpoint Plinth does not implement yet. */
interface UnimplementedRoute {
  method: HTTPMethods;
  url: string;
  guard: Guard;
}

const UNIMPLEMENTED_ROUTES: readonly UnimplementedRoute[] = [
];

/** What the guards need. */
export interface UnimplementedRoutesDeps {
  /** Whether a file token (`?token=`) is a superuser's, valid from this client IP (`superuserIPs`). */
  isSuperuserFileToken(token: string, ip: string | undefined): Promise<boolean>;
}

/** Registers the 501 answer of every endpoint in the table. */
export function registerUnimplementedRoutes(app: FastifyInstance, deps: UnimplementedRoutesDeps): void {
  for (const route of UNIMPLEMENTED_ROUTES) {
    const message = `${route.method} ${documentedPath(route.url)} is not implemented in Plinth yet.`;
    const refuse = async (request: FastifyRequest) => {
      await checkGuard(route.guard, request, deps);
      throw new AppError(501, message);
    };
    // Refused in onRequest, before a body (a backup upload) is read.
    app.route({ method: route.method, url: route.url, onRequest: refuse, handler: refuse });
  }
}

async function checkGuard(guard: Guard, request: FastifyRequest, deps: UnimplementedRoutesDeps): Promise<void> {
  if (guard === 'superuser') return assertSuperuser(request);
  const token = (request.query as Record<string, unknown>).token;
  const allowed = typeof token === 'string' && token !== '' && (await deps.isSuperuserFileToken(token, clientIp(request)));
  if (!allowed) throw forbidden('Insufficient permissions to access the resource.');
}

/** The path as PocketBase's docs write it: `/api/backups/{key}` for `/api/backups/:key`. */
function documentedPath(url: string): string {
  return url.split('/').map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment)).join('/');
}

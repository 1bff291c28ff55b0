/**
 * Holds the installer superuser's token to its one purpose (docs/security.md,
 * "First-run install link"): creating the first superuser, while none exists. After
 * that create, the installer is removed, so the token stops working on every node.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { SUPERUSERS } from '../core/auth/auth-service.js';
import { isInstaller, type SuperuserInstaller } from '../core/auth/superuser-installer.js';
import { routeOptionsOf } from './route-options.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request is the installer's create of the first superuser. */
    installing: boolean;
  }
}

/** Adds the hooks that limit and then retire the installer token; after registerRequestAuth. */
export function registerInstallerGuard(app: FastifyInstance, installer: SuperuserInstaller): void {
  app.decorateRequest('installing', false);
  // SECURITY: one query per installer request only; every other request pays a property read.
  // Callback hooks: an async hook costs every request a promise and a microtask turn.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!isInstaller(request.auth)) return done();
    guardInstaller(request, installer).then(() => done(), done);
  });
  // Before the answer leaves: when the client sees the new superuser, the installer is gone.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.installing || reply.statusCode !== 200) return done(null, payload);
    installer.removeInstaller().catch((err: unknown) => {
      // The token is refused anyway now that a superuser exists; the next start removes the installer.
      request.log.warn({ err }, 'could not remove the installer superuser');
    }).then(() => done(null, payload));
  });
}

/** Lets the installer's request through only as the create of the first superuser. */
async function guardInstaller(request: FastifyRequest, installer: SuperuserInstaller): Promise<void> {
  const spent = await installer.hasSuperuser();
  if (createsSuperuser(request)) {
    if (spent) throw new AppError(401, 'The installer token is no longer valid: a superuser exists.');
    request.installing = true;
    return;
  }
  // A spent token counts as none, as once the installer is gone: the dashboard's sign-in
  // right after the create still carries it.
  if (spent) request.auth = null;
  else throw new AppError(403, 'The installer token may only create the first superuser.');
}

/** Whether the request is `POST /api/collections/_superusers/records` (by name or id). */
function createsSuperuser(request: FastifyRequest): boolean {
  if (request.method !== 'POST' || routeOptionsOf(request).url !== '/api/collections/:collection/records') return false;
  const named = (request.params as { collection?: string }).collection;
  return named === SUPERUSERS || named === request.auth?.collection.id;
}

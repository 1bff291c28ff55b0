/**
 * The superuser IP allow-list (docs/api.md §1.2, §5.1): when `settings.superuserIPs` is not
 * empty, superuser requests and superuser sign-ins from any other IP answer 403.
 */
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../errors/app-error.js';
import { SUPERUSERS } from '../core/auth/auth-service.js';
import { clientIp } from './client-ip.js';
import { collectionRoute } from './rate-limit-labels.js';
import { cachedIpList, type RateLimitDeps } from './rate-limit.js';
import { isSuperuser } from './request-auth.js';
import { routeOptionsOf } from './route-options.js';

/**
 * Whether a superuser may act from a client IP: always while `superuserIPs` is empty,
 * else only from an address it lists (an unknown address never).
 */
export function superuserIpCheck(deps: Pick<RateLimitDeps, 'settings'>): (ip: string | undefined) => boolean {
  const allowed = cachedIpList(() => deps.settings().superuserIPs);
  return (ip) => {
    const list = allowed();
    return list.empty || (ip !== undefined && list.has(ip));
  };
}

/**
 * Registers the allow-list check; call it after registerRequestAuth so `request.auth`
 * is known.
 *
 * SECURITY: a sign-in to `_superusers` from an address outside the list is refused before
 * its credentials are checked, so the list also shields superuser passwords from guessing.
 * A superuser's file token (`?token=`) is bound by the list in FileService (superuserIpCheck).
 */
export function registerSuperuserIps(app: FastifyInstance, deps: Pick<RateLimitDeps, 'settings' | 'findCollection'>): void {
  const allowed = cachedIpList(() => deps.settings().superuserIPs);
  app.addHook('onRequest', (request, _reply, done) => {
    const list = allowed();
    if (list.empty) return done();
    if (isSuperuser(request)) return done(list.has(clientIp(request)) ? undefined : forbidden());
    const route = collectionRoute(request.method, routeOptionsOf(request).url);
    if (!route || !route.actions.includes('auth')) return done();
    const param = (request.params as Record<string, string | undefined>)[route.param] ?? '';
    const refused = deps.findCollection(param)?.name === SUPERUSERS && !list.has(clientIp(request));
    done(refused ? forbidden() : undefined);
  });
}

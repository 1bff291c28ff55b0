/**
 * `GET /api/health` (docs/api.md §9).
 */
import type { FastifyInstance } from 'fastify';
import { clientIp, possibleProxyHeader, type TrustedProxySettings } from './client-ip.js';
import { isSuperuser } from './request-auth.js';

/** What the health route needs. */
export interface HealthRoutesDeps {
  /** The current `trustedProxy` settings, for `possibleProxyHeader`. */
  trustedProxy?: () => TrustedProxySettings;
}

/** Registers the health route. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthRoutesDeps = {}): void {
  app.get('/api/health', async function health(request) {
    const trustedProxy = deps.trustedProxy?.() ?? { headers: [], useLeftmostIP: false };
    const data = isSuperuser(request)
      ? { canBackup: false, realIP: clientIp(request), possibleProxyHeader: possibleProxyHeader(request, trustedProxy) }
      : {};
    return { message: 'API is healthy.', code: 200, data };
  });
}

/**
 * `GET /api/health` (docs/api.md §9) and its readiness form `?ready=1` (docs/observability.md §2).
 */
import type { FastifyInstance } from 'fastify';
import { unavailable } from '../errors/service-unavailable.js';
import { clientIp, possibleProxyHeader, type TrustedProxySettings } from './client-ip.js';
import { isSuperuser } from './request-auth.js';

/** What the health route needs. */
export interface HealthRoutesDeps {
  /** The current `trustedProxy` settings, for `possibleProxyHeader`. */
  trustedProxy?: () => TrustedProxySettings;
  /** Whether a backup may start now (no backup or restore running); false when unset. */
  canBackup?: () => Promise<boolean>;
  /** The backing services that did not answer a ping (none: ready); always ready when unset. */
  unready?: () => Promise<string[]>;
  /** Told which services were not ready, for the log. */
  onUnready?: (services: string[]) => void;
}

/** Registers the health route. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthRoutesDeps = {}): void {
  app.get('/api/health', async function health(request) {
    if (wantsReadiness(request.query) && deps.unready) {
      const unready = await deps.unready();
      if (unready.length > 0) {
        deps.onUnready?.(unready);
        throw unavailable();
      }
    }
    const trustedProxy = deps.trustedProxy?.() ?? { headers: [], useLeftmostIP: false };
    const data = isSuperuser(request)
      ? { canBackup: (await deps.canBackup?.()) ?? false, realIP: clientIp(request), possibleProxyHeader: possibleProxyHeader(request, trustedProxy) }
      : {};
    return { message: 'API is healthy.', code: 200, data };
  });
}

/** Whether the query asks for readiness: `ready` present and not `0` or `false`. */
function wantsReadiness(query: unknown): boolean {
  const raw = (query as Record<string, unknown> | undefined)?.ready;
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' && value !== '0' && value.toLowerCase() !== 'false';
}

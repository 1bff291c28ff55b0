/**
 * `GET /api/metrics` (docs/observability.md §1): the node's metrics in Prometheus' text
 * format, for superusers or a scraper that sends `Authorization: Bearer <PLINTH_METRICS_TOKEN>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NodeMetrics } from '../core/metrics/node-metrics.js';
import { AppError } from '../errors/app-error.js';
import { isSuperuser } from './request-auth.js';

/** What the metrics route needs. */
export interface MetricsRoutesDeps {
  metrics: NodeMetrics;
  /** The token a scraper may send instead of a superuser's; unset: superusers only. */
  token?: string;
}

/** Registers the metrics route. */
export function registerMetricsRoutes(app: FastifyInstance, deps: MetricsRoutesDeps): void {
  const expected = deps.token === undefined ? undefined : digest(deps.token);
  app.get('/api/metrics', async function metrics(request, reply) {
    if (!isSuperuser(request) && !(expected && hasToken(request, expected))) {
      // A signed-in user who is not a superuser is known and refused; anyone else is unauthenticated.
      if (request.auth) throw new AppError(403, 'The authorized record is not allowed to perform this action.');
      throw new AppError(401, 'The request requires a superuser authorization token or the metrics token.');
    }
    const text = await deps.metrics.text();
    reply.header('content-type', deps.metrics.contentType).header('cache-control', 'no-store');
    return text;
  });
}

/**
 * Whether the request's `Authorization` carries the metrics token (with or without `Bearer `).
 * SECURITY: compared in constant time, over digests so that lengths match too.
 */
function hasToken(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header === '') return false;
  const sent = header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7).trim() : header.trim();
  return timingSafeEqual(digest(sent), expected);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

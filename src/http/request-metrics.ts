/**
 * Counts every answered request in the node's metrics (docs/observability.md §1): one
 * `onResponse` hook labels it with its method, route PATTERN (`/api/collections/:collection/records`,
 * never the URL, so the series stay few) and status, and observes its duration.
 */
import type { FastifyInstance } from 'fastify';
import { UNMATCHED_ROUTE, type NodeMetrics } from '../core/metrics/node-metrics.js';
import { routeOptionsOf } from './route-options.js';

/** Registers the hook; before every route, so custom routes and the 404 handler count too. */
export function registerRequestMetrics(app: FastifyInstance, metrics: NodeMetrics): void {
  // A callback hook: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, routeOptionsOf(request).url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

/**
 * Holds each request until the schema and settings reloads that another node
 * announced have finished, so a client never sees this node behind a change it
 * already got an answer for from another node (docs/architecture.md §1: any node serves any request).
 */
import type { FastifyInstance } from 'fastify';
import type { ClusterSync } from '../core/cluster/cluster-sync.js';

/** Registers the hook; it costs one null check per request when nothing is reloading. */
export function registerClusterSyncHook(app: FastifyInstance, sync: ClusterSync): void {
  app.addHook('onRequest', (_request, _reply, done) => {
    const pending = sync.pending();
    if (!pending) return done();
    // A failed reload is reported by ClusterSync itself; the request goes on with what the node has.
    pending.then(() => done(), () => done());
  });
}

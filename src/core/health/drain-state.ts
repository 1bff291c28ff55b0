/**
 * Draining (docs/operations.md, "Deploying"): once a node begins to shut down, its
 * readiness (`GET /api/health?ready=1`) answers 503 at once, so a load balancer stops
 * sending it new requests while the ones in flight finish.
 */
import type { ReadinessProbe } from './readiness.js';

/** Whether this node is shutting down, as a readiness probe that fails from then on. */
export class DrainState {
  private draining = false;

  /** The probe named `shutdown` that fails once draining began. */
  readonly probe: ReadinessProbe = {
    name: 'shutdown',
    ping: async () => {
      if (this.draining) throw new Error('the node is shutting down');
    },
  };

  /** Marks the node as shutting down; it never becomes ready again. */
  begin(): void {
    this.draining = true;
  }
}

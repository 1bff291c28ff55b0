/**
 * Readiness (`GET /api/health?ready=1`, docs/observability.md §2): the node is ready when every
 * backing service it needs (the database; Redis when set) answers a ping within a bound,
 * so a load balancer sends it traffic only then.
 */

/** One backing service to ping. */
export interface ReadinessProbe {
  /** What it is, for the log (`database`, `redis`). */
  name: string;
  /** Resolves when the service answered; rejects when it did not. */
  ping(): Promise<unknown>;
}

/** How long a ping may take before the service counts as not answering. */
export const READINESS_TIMEOUT_MS = 2000;

/** The names of the probes that failed or did not answer within `timeoutMs` (none: ready). */
export async function unreadyServices(probes: readonly ReadinessProbe[], timeoutMs = READINESS_TIMEOUT_MS): Promise<string[]> {
  const results = await Promise.all(probes.map((probe) => answers(probe, timeoutMs)));
  return probes.filter((_, i) => !results[i]).map((probe) => probe.name);
}

async function answers(probe: ReadinessProbe, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([probe.ping().then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

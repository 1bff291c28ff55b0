/**
 * After a restore: polls `GET /api/health` until the server answers again (a restore may
 * restart it behind a process manager), within a bound.
 */
import { pb } from '../../pb.js';

const POLL_MS = 1000;
const GIVE_UP_MS = 120_000;

/** Resolves true once the server is healthy, false when it did not come back in time. */
export async function waitUntilOnline(): Promise<boolean> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (Date.now() < deadline) {
    try {
      await pb.health.check({ requestKey: null });
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  return false;
}

/**
 * Closes a Fastify server gracefully: no new connections, the requests in flight
 * finish, and then their keep-alive connections close too.
 */
import type { FastifyInstance } from 'fastify';

/** How often connections that went idle since the close began are closed. */
const IDLE_SWEEP_MS = 100;

/**
 * Closes `http`, finishing the requests in flight. NOTE: Fastify closes the
 * connections idle when the close begins; one whose request was still running
 * stays open as keep-alive afterwards and would hold the close for the whole
 * keep-alive timeout (72 s), so connections are swept until the close is done.
 */
export async function closeHttp(http: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => http.server.closeIdleConnections(), IDLE_SWEEP_MS);
  try {
    await http.close();
  } finally {
    clearInterval(sweep);
  }
}

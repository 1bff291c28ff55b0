/**
 * Ends a request whose body is refused unread (a 403 before the body, a 503 of the body
 * memory budget) without losing the refusal on its way to the client.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long a client may go on sending a refused body after the answer left, before its connection is cut. */
const LINGER_MS = 2_000;

/** How much of a refused body is read (and dropped) at most; past it reading stops until the cut. */
const DROP_BYTES = 8 << 20;

/**
 * Reads and drops what the client still sends of a refused body once the answer is out,
 * and cuts the connection if it is still sending LINGER_MS later. A body that ends in time
 * leaves the connection open for the next request.
 *
 * NOTE: closing a socket while the client's bytes sit unread in its receive buffer makes the
 * kernel answer with a RST, and a RST can discard the refusal from the client's buffer before
 * the client reads it: the client then sees "connection reset" instead of the 403 or 503 (what
 * Apache and nginx call a lingering close). SECURITY: nothing is kept: the bytes are dropped as
 * they arrive, at most DROP_BYTES are read, and the connection lives at most LINGER_MS longer.
 */
export function dropUnreadBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  reply.raw.once('finish', () => {
    if (raw.complete || raw.destroyed) return;
    const cut = setTimeout(() => raw.socket.destroy(), LINGER_MS);
    cut.unref();
    raw.socket.once('close', () => clearTimeout(cut));
    raw.once('end', () => clearTimeout(cut));
    let dropped = 0;
    raw.unpipe();
    raw.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      // Stops reading: the client's writes then wait on a full window, and no RST is sent before the cut.
      if (dropped > DROP_BYTES) raw.pause();
    });
  });
}

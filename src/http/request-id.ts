/**
 * Request ids (docs/operations.md §Logs): every request gets one, printed on its
 * stdout log lines, stored in its log entry and sent back as `X-Request-Id`. An
 * incoming `X-Request-Id` (from a load balancer) is kept when it is sane — 1 to 64
 * characters of `[A-Za-z0-9._-]` — so one id follows a request across hops;
 * anything else is replaced by our own.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header the id comes in and goes out on. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The longest incoming id kept. */
const MAX_ID_LENGTH = 64;

// Our ids: a random per-process prefix and a counter; unique and far cheaper than a UUID each.
const idPrefix = randomUUID().slice(0, 8);
let idCounter = 0;

/** The id of the next request, e.g. `3f2a9c1b-42`. */
function nextRequestId(): string {
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${idPrefix}-${idCounter.toString(36)}`;
}

/**
 * Whether `id` may be reused as a request id. SECURITY: a plain character loop, no
 * RegExp; only characters that cannot break a log line or a header.
 */
export function isSaneRequestId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 45;
    if (!ok) return false;
  }
  return true;
}

/** Fastify's `genReqId`: the client's sane `X-Request-Id`, else a fresh id. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(incoming) ? incoming : nextRequestId();
}

/**
 * The 503 of a backing service (PostgreSQL, Redis) that is down or unreachable, and
 * the test that recognises a connection failure under whatever error wraps it.
 */
import { AppError, isAppError } from './app-error.js';

/** The message of every 503: nothing about which service or why reaches the client. */
export const UNAVAILABLE_MESSAGE = 'Service temporarily unavailable.';

/** A 503 for a service that is temporarily down; the cause is logged, never sent. */
export function unavailable(cause?: unknown): AppError {
  return new AppError(503, UNAVAILABLE_MESSAGE, {}, cause);
}

/** Node's socket error codes of a peer that is gone, refusing or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTCONN',
]);

/**
 * SQLSTATEs of a lost or refused database connection: class 08 (connection exception),
 * 57P01–57P03 (server shutting down or not yet accepting) and 53300 (too many connections).
 * NOTE: not 57014, a statement cancelled by the statement timeout: that is a query the
 * client made too expensive, a 400 (errors/query-timeout.ts), and the server is fine.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/**
 * Driver messages that carry no code. NOTE: node-postgres reports a connection that
 * drops mid-query, and a pool that cannot connect in time, only in its message.
 */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection is closed.',
];

/**
 * Tests whether an error, or an error it wraps (`cause`, AggregateError), means a
 * backing service is unreachable, so the request deserves a 503 rather than a 500
 * or a 400 that blames the client.
 */
export function isServiceUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 16) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (isAppError(e) && e.status === 503) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m))) return true;
    queue.push((e as { cause?: unknown }).cause);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return false;
}

/**
 * PocketBase's `skipSuccessActivityLog` (docs/operations.md §Logs): a request marked by
 * that middleware is logged — on stdout and in the log store — only when it fails.
 */
import type { FastifyRequest } from 'fastify';

const quietOnSuccess = new WeakSet<object>();

/** Logs `request` only if it fails (answers 400 or more, or errors). */
export function skipSuccessLog(request: FastifyRequest): void {
  quietOnSuccess.add(request);
}

/** Whether `request` was marked by skipSuccessLog. */
export function isQuietOnSuccess(request: FastifyRequest): boolean {
  return quietOnSuccess.has(request);
}

/**
 * Backoff between attempts of a job (docs/jobs.md §2): fixed, or exponential
 * from a base delay, capped. Also the checks of the numbers a definition or an
 * enqueue may set, which come from app code and fail with a clear message.
 */
import type { BackoffSpec } from './job-types.js';

/** The backoff of a job that sets none: 1 s, 2 s, 4 s, … up to an hour. */
export const DEFAULT_BACKOFF: BackoffSpec = { type: 'exponential', delayMs: 1000, maxDelayMs: 3_600_000 };

/** The longest any backoff waits: a day. */
const MAX_BACKOFF_MS = 86_400_000;

/** How long to wait after failed attempt number `attempt` (from 1) before the next one. */
export function backoffDelay(spec: BackoffSpec, attempt: number): number {
  const cap = Math.min(spec.maxDelayMs ?? MAX_BACKOFF_MS, MAX_BACKOFF_MS);
  if (spec.type === 'fixed') return Math.min(spec.delayMs, cap);
  // 2^(attempt-1) grows past any cap quickly; the exponent is bounded so it stays finite.
  const factor = 2 ** Math.min(Math.max(attempt - 1, 0), 40);
  return Math.min(spec.delayMs * factor, cap);
}

/** Checks a backoff given by app code; throws a TypeError naming what is wrong. */
export function assertBackoff(value: unknown, where: string): asserts value is BackoffSpec {
  const spec = value as Partial<BackoffSpec> | null;
  if (typeof spec !== 'object' || spec === null) throw new TypeError(`${where}: backoff must be an object {type, delayMs, maxDelayMs?}`);
  if (spec.type !== 'exponential' && spec.type !== 'fixed') throw new TypeError(`${where}: backoff.type must be "exponential" or "fixed"`);
  assertWholeNumber(spec.delayMs, `${where}: backoff.delayMs`, 0, MAX_BACKOFF_MS);
  if (spec.maxDelayMs !== undefined) assertWholeNumber(spec.maxDelayMs, `${where}: backoff.maxDelayMs`, 0, MAX_BACKOFF_MS);
}

/** Checks that `value` is a whole number in [min, max]; throws a TypeError naming `what` otherwise. */
export function assertWholeNumber(value: unknown, what: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${what} must be a whole number between ${min} and ${max}, not ${JSON.stringify(value)}`);
  }
}

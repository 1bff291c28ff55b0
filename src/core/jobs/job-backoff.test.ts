/** Backoff between attempts (docs/jobs.md §2) as a table, and the checks of app-given numbers. */
import { describe, expect, it } from 'vitest';
import { assertBackoff, backoffDelay, DEFAULT_BACKOFF } from './job-backoff.js';

describe('backoffDelay', () => {
  it.each([
    [DEFAULT_BACKOFF, 1, 1000],
    [DEFAULT_BACKOFF, 2, 2000],
    [DEFAULT_BACKOFF, 4, 8000],
    [DEFAULT_BACKOFF, 30, 3_600_000],
    [{ type: 'exponential', delayMs: 500, maxDelayMs: 1200 }, 3, 1200],
    [{ type: 'exponential', delayMs: 1000 }, 100, 86_400_000],
    [{ type: 'fixed', delayMs: 250 }, 7, 250],
  ] as const)('%j after attempt %i waits %i ms', (spec, attempt, ms) => {
    expect(backoffDelay(spec, attempt)).toBe(ms);
  });

  it.each([
    [null, /must be an object/],
    [{ type: 'linear', delayMs: 1 }, /backoff.type/],
    [{ type: 'fixed', delayMs: -1 }, /backoff.delayMs/],
    [{ type: 'fixed', delayMs: 1.5 }, /backoff.delayMs/],
    [{ type: 'fixed', delayMs: 1, maxDelayMs: 'x' }, /backoff.maxDelayMs/],
  ])('refuses %j', (spec, message) => {
    expect(() => assertBackoff(spec, 'job "x"')).toThrow(message);
  });
});

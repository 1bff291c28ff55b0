/**
 * Progressive slow-down of failing attempts per identity: after a few free failures,
 * each next attempt must wait longer (doubling up to a cap) until one succeeds.
 */
import { tooManyRequests } from '../../errors/app-error.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** How failures slow down the next attempts. */
export interface BackoffPolicy {
  /** Attempts allowed without any wait since the last success. */
  freeAttempts: number;
  /** The wait before the first attempt past the free ones, in seconds; it doubles each time. */
  baseDelaySeconds: number;
  /** The longest wait, in seconds. */
  maxDelaySeconds: number;
  /** How long failures are remembered without a success, in seconds. */
  memorySeconds: number;
}

/** The default sign-in policy: 5 free tries, then 1 s, 2 s, 4 s … up to 60 s, remembered 1 hour. */
export const SIGN_IN_BACKOFF: BackoffPolicy = { freeAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 60, memorySeconds: 3600 };

/**
 * A FailureBackoff spaces out attempts on one key after repeated failures.
 *
 * Failures are counted when they happen and a success clears them, so correct
 * sign-ins, however many run at once, never wait. Past the free failures an
 * attempt may run only if it opens a new "wait" window (whose length grows with
 * the failures); opening it is one atomic hit, so once the free failures are
 * spent a burst of parallel attempts lets exactly one through. The first burst
 * before any failure is recorded is bounded by the per-IP sign-in limit.
 */
export class FailureBackoff {
  constructor(private readonly store: RateLimitStore, private readonly policy: BackoffPolicy, private readonly prefix = 'backoff') {}

  /** Checks whether an attempt on `key` may run now; throws 429 (with Retry-After) when it must wait. */
  async attempt(key: string): Promise<void> {
    const { count } = await this.store.peek(this.countKey(key));
    if (count < this.policy.freeAttempts) return;
    const wait = await this.store.hit(this.waitKey(key), this.delaySeconds(count + 1) * 1000);
    if (wait.count > 1) throw tooManyRequests(wait.resetMs / 1000);
  }

  /** Records a failed attempt on `key`. */
  async failed(key: string): Promise<void> {
    await this.store.hit(this.countKey(key), this.policy.memorySeconds * 1000);
  }

  /** Clears the failures of `key` after a success. */
  async succeeded(key: string): Promise<void> {
    await Promise.all([this.store.reset(this.countKey(key)), this.store.reset(this.waitKey(key))]);
  }

  /** The wait that the `count`-th attempt since the last success opens, in seconds. */
  delaySeconds(count: number): number {
    const past = count - this.policy.freeAttempts - 1;
    return Math.min(this.policy.maxDelaySeconds, this.policy.baseDelaySeconds * 2 ** Math.min(past, 30));
  }

  private countKey(key: string): string {
    return `${this.prefix}:n:${key}`;
  }

  private waitKey(key: string): string {
    return `${this.prefix}:w:${key}`;
  }
}

/**
 * The auth flows' AttemptLimiter (OTP tries, mail resend guard) counted in the shared
 * RateLimitStore, so those caps hold across nodes once the store is Redis.
 */
import type { AttemptLimiter } from '../auth/attempt-limiter.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** At most `max` attempts per `windowSeconds`. */
export interface AttemptLimit {
  max: number;
  windowSeconds: number;
}

/** A StoreAttemptLimiter is an AttemptLimiter over a RateLimitStore. */
export class StoreAttemptLimiter implements AttemptLimiter {
  constructor(private readonly store: RateLimitStore, private readonly prefix = 'attempt') {}

  /** {@inheritDoc AttemptLimiter.take} */
  async take(key: string, limit: number, windowSeconds: number): Promise<boolean> {
    const window = await this.store.hit(`${this.prefix}:${key}`, windowSeconds * 1000);
    return window.count <= limit;
  }
}

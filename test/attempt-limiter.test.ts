/**
 * The auth flows' AttemptLimiter (OTP tries, mail resend guard) over the memory
 * RateLimitStore: the shared contract.
 */
import { StoreAttemptLimiter } from '../src/core/ratelimit/store-attempt-limiter.js';
import { MemoryRateLimitStore } from '../src/adapters/ratelimit/memory-rate-limit-store.js';
import { attemptLimiterContract } from './contracts/attempt-limiter-contract.js';

attemptLimiterContract('StoreAttemptLimiter over memory', async () => {
  let now = 1_000_000;
  const store = new MemoryRateLimitStore({ now: () => now });
  return { limiter: new StoreAttemptLimiter(store), advance: async (ms) => { now += ms; } };
});

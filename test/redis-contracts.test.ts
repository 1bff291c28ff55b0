/**
 * The Redis implementations of the ports run the same contract suites as the memory
 * ones (docs/architecture.md §1, style.md "Adapters and dialects"): Bus, RateLimitStore, and the
 * AttemptLimiter built over the store. Skipped without PLINTH_TEST_REDIS_URL.
 */
import { describe, expect, it } from 'vitest';
import { RedisBus } from '../src/adapters/bus/redis-bus.js';
import { createBus } from '../src/adapters/bus/create-bus.js';
import { RedisRateLimitStore } from '../src/adapters/ratelimit/redis-rate-limit-store.js';
import { createRateLimitStore } from '../src/adapters/ratelimit/create-rate-limit-store.js';
import { StoreAttemptLimiter } from '../src/core/ratelimit/store-attempt-limiter.js';
import { ConfigError } from '../src/config/config-error.js';
import { describeBusContract } from './contracts/bus-contract.js';
import { rateLimitStoreContract } from './contracts/rate-limit-store-contract.js';
import { attemptLimiterContract } from './contracts/attempt-limiter-contract.js';
import { redisSkipReason, redisTestUrl, testRedisPrefix } from './helpers/test-redis.js';

const skip = redisSkipReason();
const url = redisTestUrl() ?? 'redis://127.0.0.1:6379';
/** One prefix per file run; each factory call gets its own below it. */
const runPrefix = testRedisPrefix();
let n = 0;
const target = () => ({ url, prefix: `${runPrefix}${n++}:` });

describe.skipIf(skip)('Redis ports', () => {
  describeBusContract('RedisBus, one node', async () => {
    const bus = await RedisBus.open(target());
    return { a: bus, b: bus, close: () => bus.close() };
  });

  describeBusContract('RedisBus, two nodes', async () => {
    const shared = target();
    const a = await RedisBus.open(shared);
    const b = await RedisBus.open(shared);
    return { a, b, close: async () => { await a.close(); await b.close(); } };
  });

  describeBusContract('RedisBus via createBus', async () => {
    const shared = target();
    const a = await createBus({ driver: 'redis', ...shared });
    const b = await createBus({ driver: 'redis', ...shared });
    return { a, b, close: async () => { await a.close(); await b.close(); } };
  });

  rateLimitStoreContract('redis', () => RedisRateLimitStore.open(target()));
  rateLimitStoreContract('redis via createRateLimitStore', () => createRateLimitStore({ driver: 'redis', ...target() }));

  attemptLimiterContract('StoreAttemptLimiter over redis', async () => ({
    limiter: new StoreAttemptLimiter(await RedisRateLimitStore.open(target())),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }));

  describe('Redis specifics', () => {
    it('shares counters between two connections, as two nodes would', async () => {
      const shared = target();
      const one = await RedisRateLimitStore.open(shared);
      const two = await RedisRateLimitStore.open(shared);
      try {
        await one.hit('k', 60_000);
        await two.hit('k', 60_000);
        expect((await one.peek('k')).count).toBe(2);
      } finally {
        await one.close();
        await two.close();
      }
    });

    it('keeps prefixes apart, so deployments can share one Redis', async () => {
      const a = await RedisRateLimitStore.open(target());
      const b = await RedisRateLimitStore.open(target());
      try {
        await a.hit('same', 60_000);
        expect((await b.peek('same')).count).toBe(0);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('refuses to start on an unreachable Redis, naming REDIS_URL and the reason', async () => {
      const err = await RedisBus.open({ url: 'redis://127.0.0.1:1/0', prefix: 'x:', source: 'REDIS_URL' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).source).toBe('REDIS_URL');
      expect((err as Error).message).toMatch(/^REDIS_URL: cannot connect to Redis at 127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
    });
  });
});

/**
 * Builds the configured RateLimitStore (docs/architecture.md §1: one switch per port).
 */
import type { RateLimitStore } from '../../core/ratelimit/rate-limit-store.js';
import type { RedisTarget } from '../redis/redis-client.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';

/** Which RateLimitStore a node uses. */
export type RateLimitStoreConfig = { driver: 'memory'; maxKeys?: number } | ({ driver: 'redis' } & RedisTarget);

/** Creates the RateLimitStore named by the configuration. */
export async function createRateLimitStore(config: RateLimitStoreConfig): Promise<RateLimitStore> {
  switch (config.driver) {
    case 'memory':
      return new MemoryRateLimitStore({ maxKeys: config.maxKeys });
    case 'redis': {
      // ioredis is loaded only by nodes that use Redis.
      const { RedisRateLimitStore } = await import('./redis-rate-limit-store.js');
      return RedisRateLimitStore.open(config);
    }
  }
}

/**
 * Builds the configured Bus (docs/architecture.md §1: one switch per port).
 */
import type { Bus } from '../../core/realtime/bus.js';
import type { RedisTarget } from '../redis/redis-client.js';
import type { RedisBusOptions } from './redis-bus.js';
import { MemoryBus } from './memory-bus.js';

/** Which Bus a node uses. */
export type BusConfig = { driver: 'memory' } | ({ driver: 'redis' } & RedisTarget);

/** Creates the Bus named by the configuration. */
export async function createBus(config: BusConfig, options: RedisBusOptions = {}): Promise<Bus> {
  switch (config.driver) {
    case 'memory':
      return new MemoryBus(options.onHandlerError);
    case 'redis': {
      // ioredis is loaded only by nodes that use Redis.
      const { RedisBus } = await import('./redis-bus.js');
      return RedisBus.open(config, options);
    }
  }
}

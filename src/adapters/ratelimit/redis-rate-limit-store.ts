/**
 * The RateLimitStore of a scaled-out deployment: fixed-window counters in Redis, so a
 * limit counts the hits a client makes on every node.
 */
import type { Redis } from 'ioredis';
import type { RateLimitStore, RateLimitWindow } from '../../core/ratelimit/rate-limit-store.js';
import { openRedis, redisCall, type RedisTarget } from '../redis/redis-client.js';

/**
 * Counts one hit atomically and returns {count, ms left}. The first hit opens the window
 * (PEXPIRE); later hits never extend it. A script runs atomically, so concurrent hits
 * from many nodes count exactly. NOTE: a key found without a TTL (written by hand) gets
 * one here instead of counting forever.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** Reads a window without counting: {count, ms left}, {0, 0} when none is open. */
const PEEK_SCRIPT = `
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return {0, 0} end
return {tonumber(count), ttl}
`;

type Scripted = Redis & {
  plinthHit(key: string, windowMs: number): Promise<[number, number]>;
  plinthPeek(key: string): Promise<[number, number]>;
};

/** RedisRateLimitStore keeps each window as one Redis key with a TTL. */
export class RedisRateLimitStore implements RateLimitStore {
  private constructor(private readonly redis: Scripted, private readonly prefix: string) {}

  /** Connects; throws a ConfigError naming REDIS_URL when Redis cannot be reached. */
  static async open(target: RedisTarget): Promise<RedisRateLimitStore> {
    const redis = await openRedis(target, 'plinth-ratelimit');
    // defineCommand sends EVALSHA and falls back to EVAL once after a script flush.
    redis.defineCommand('plinthHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.defineCommand('plinthPeek', { numberOfKeys: 1, lua: PEEK_SCRIPT });
    return new RedisRateLimitStore(redis as Scripted, `${target.prefix}rl:`);
  }

  /** {@inheritDoc RateLimitStore.hit} */
  async hit(key: string, windowMs: number): Promise<RateLimitWindow> {
    const window = Math.max(1, Math.ceil(windowMs));
    const [count, resetMs] = await redisCall(() => this.redis.plinthHit(this.prefix + key, window));
    return { count, resetMs };
  }

  /** {@inheritDoc RateLimitStore.peek} */
  async peek(key: string): Promise<RateLimitWindow> {
    const [count, resetMs] = await redisCall(() => this.redis.plinthPeek(this.prefix + key));
    return { count, resetMs };
  }

  /** {@inheritDoc RateLimitStore.reset} */
  async reset(key: string): Promise<void> {
    await redisCall(() => this.redis.del(this.prefix + key));
  }

  /** {@inheritDoc RateLimitStore.close} */
  async close(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}

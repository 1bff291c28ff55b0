/**
 * The Bus of a scaled-out deployment (docs/architecture.md §1): Redis pub/sub, one connection that
 * publishes and one that subscribes, so a message published on any node reaches the
 * subscribers of every node.
 */
import type { Redis } from 'ioredis';
import type { Bus, BusHandler } from '../../core/realtime/bus.js';
import { openRedis, redisCall, type RedisTarget } from '../redis/redis-client.js';

/** Options of RedisBus beyond where Redis is. */
export interface RedisBusOptions {
  /** Hears about handlers that throw (they never stop delivery). */
  onHandlerError?: (err: unknown) => void;
  /**
   * Called when the subscriber connection is lost and again when it is back: messages
   * published in between never arrive, so whoever relies on them (realtime streams)
   * must start over.
   */
  onInterruption?: (state: 'lost' | 'restored') => void;
}

/** RedisBus is a Bus over Redis pub/sub; channels are namespaced by the target's prefix. */
export class RedisBus implements Bus {
  private readonly channels = new Map<string, Set<BusHandler>>();
  private closed = false;
  private lost = false;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly options: RedisBusOptions,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    // ioredis re-subscribes every channel by itself after a reconnect ('ready').
    subscriber.on('close', () => this.interrupted('lost'));
    subscriber.on('ready', () => this.interrupted('restored'));
  }

  /** Connects both connections; throws a ConfigError naming REDIS_URL when Redis cannot be reached. */
  static async open(target: RedisTarget, options: RedisBusOptions = {}): Promise<RedisBus> {
    const publisher = await openRedis(target, 'plinth-bus-pub');
    let subscriber: Redis;
    try {
      // NOTE: the subscriber keeps an offline queue so a SUBSCRIBE issued during a blip is sent on reconnect.
      subscriber = await openRedis(target, 'plinth-bus-sub', { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    } catch (err) {
      publisher.disconnect();
      throw err;
    }
    return new RedisBus(publisher, subscriber, target.prefix, options);
  }

  async publish(channel: string, message: string): Promise<number> {
    if (this.closed) return 0;
    // Redis counts the connections subscribed to the channel: one per node.
    return redisCall(() => this.publisher.publish(this.prefix + channel, message));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const key = this.prefix + channel;
    let handlers = this.channels.get(key);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(key, handlers);
      await this.subscriber.subscribe(key);
    }
    // Each subscription is its own entry, so the same function may subscribe twice.
    const entry: BusHandler = (message) => handler(message);
    handlers.add(entry);
    return async () => {
      handlers.delete(entry);
      if (handlers.size > 0 || this.channels.get(key) !== handlers) return;
      this.channels.delete(key);
      if (!this.closed) await this.subscriber.unsubscribe(key).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    await Promise.all([quit(this.publisher), quit(this.subscriber)]);
  }

  private deliver(channel: string, message: string): void {
    if (this.closed) return;
    const handlers = this.channels.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      if (!handlers.has(handler)) continue;
      try {
        handler(message);
      } catch (err) {
        this.options.onHandlerError?.(err);
      }
    }
  }

  private interrupted(state: 'lost' | 'restored'): void {
    if (this.closed || (state === 'lost') === this.lost) return;
    this.lost = state === 'lost';
    this.options.onInterruption?.(state);
  }
}

/** Closes a connection politely, or drops it when Redis is not there to answer. */
async function quit(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}

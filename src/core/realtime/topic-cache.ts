/**
 * Shares parsed topics between clients: thousands of subscribers of the same
 * topic string hold one Topic object, which keeps per-connection memory small.
 */
import { Lru } from '../../tools/lru.js';
import { parseTopic, type Topic } from './realtime-topic.js';

/** TopicCache parses each distinct subscription string once (bounded LRU; Topics are immutable). */
export class TopicCache {
  private readonly cache = new Lru<string, Topic>(2_000);

  /** The parsed topic of a subscription string. */
  get(raw: string): Topic {
    let topic = this.cache.get(raw);
    if (!topic) {
      topic = parseTopic(raw);
      this.cache.set(raw, topic);
    }
    return topic;
  }
}

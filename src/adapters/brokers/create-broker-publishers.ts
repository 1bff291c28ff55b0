/**
 * Builds the node's BrokerPublishers (docs/outbound.md §2): one publisher per target
 * URL, made on first use and kept until it is released or the node closes. amqplib and nats load only
 * when a target of theirs first connects.
 */
import type { BrokerPublisher, BrokerPublishers } from '../../core/events/broker-publisher.js';
import type { OutboundPolicy } from '../../tools/outbound-policy.js';
import { AmqpPublisher } from './amqp-publisher.js';
import { parseBrokerTarget } from './broker-targets.js';
import { NatsPublisher } from './nats-publisher.js';

/** What the publishers share. */
export interface BrokerPublishersOptions {
  /** Which broker addresses may be reached (`--outboundAllow`). */
  policy: OutboundPolicy;
  /** How long connecting and a broker's handshake may take (default 10 s). */
  connectTimeoutMs?: number;
}

const BROKER_SCHEMES = new Set(['amqp:', 'amqps:', 'nats:']);

/** Creates the cache of broker publishers. */
export function createBrokerPublishers(options: BrokerPublishersOptions): BrokerPublishers {
  const publishers = new Map<string, BrokerPublisher>();
  const shared = { policy: options.policy, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 };
  return {
    publisherFor(targetUrl) {
      const known = publishers.get(targetUrl);
      if (known) return known;
      const parsed = parseBrokerTarget(targetUrl);
      // NOTE: the message never quotes the URL: it may carry a password.
      if (!parsed.ok) throw new Error(`not a broker target: ${parsed.problem}`);
      const publisher = parsed.target.kind === 'amqp' ? new AmqpPublisher(parsed.target, shared) : new NatsPublisher(parsed.target, shared);
      publishers.set(targetUrl, publisher);
      return publisher;
    },
    async release(targetUrl) {
      const publisher = publishers.get(targetUrl);
      publishers.delete(targetUrl);
      await publisher?.close().catch(() => undefined);
    },
    async closeAll() {
      const all = [...publishers.values()];
      publishers.clear();
      await Promise.all(all.map((p) => p.close().catch(() => undefined)));
    },
    isBrokerUrl(url) {
      return URL.canParse(url) && BROKER_SCHEMES.has(new URL(url).protocol);
    },
    targetProblem(url) {
      const parsed = parseBrokerTarget(url);
      return parsed.ok ? null : parsed.problem;
    },
  };
}

/**
 * The port through which events leave for a message broker (docs/outbound.md §2):
 * RabbitMQ (`amqp://`, `amqps://`) and NATS JetStream (`nats://`) targets of the
 * event outbox. The webhook dispatcher sends http(s) targets itself and hands these
 * to BrokerPublishers; the implementations live in `src/adapters/brokers/`.
 */

/** One event as a broker receives it. */
export interface BrokerMessage {
  /** The event's id: the AMQP `messageId`, JetStream's `Nats-Msg-Id` (its duplicate window). */
  id: string;
  /** `plinth.<collection>.<action>`: the AMQP routing key, the NATS subject. */
  subject: string;
  /** The event as JSON text. */
  body: string;
  /** Message headers (AMQP headers, NATS headers). */
  headers: Record<string, string>;
}

/** A BrokerPublisher sends messages to one target over one reconnecting connection. */
export interface BrokerPublisher {
  /**
   * Resolves once the broker confirmed the message (publisher confirm / JetStream ack);
   * rejects with a short Error (no credentials in it) when it refused, the connection
   * failed, or `signal` aborted first.
   */
  publish(message: BrokerMessage, signal: AbortSignal): Promise<void>;
  /** Closes the connection; later publishes reject. */
  close(): Promise<void>;
}

/** BrokerPublishers hands out one cached, reconnecting publisher per target URL. */
export interface BrokerPublishers {
  /** The publisher of `targetUrl` (amqp://, amqps://, nats://); throws for any other URL. */
  publisherFor(targetUrl: string): BrokerPublisher;
  /** Closes and forgets the publisher of `targetUrl`, if there is one (a target deleted or changed). */
  release(targetUrl: string): Promise<void>;
  /** Closes every publisher (node shutdown). */
  closeAll(): Promise<void>;
  /** Whether `url` is a broker target (amqp://, amqps://, nats://) rather than a webhook. */
  isBrokerUrl(url: string): boolean;
  /**
   * Why a broker target URL cannot be used (a bad exchange or stream name, an unknown
   * parameter), or null: the save-time check of its form. Where it points is
   * checked by OutboundHttp.checkTarget.
   */
  targetProblem(url: string): string | null;
}

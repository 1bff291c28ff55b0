/**
 * Publishes events to RabbitMQ (docs/outbound.md §3): one connection and one confirm
 * channel per target, a durable topic exchange asserted on connect, persistent JSON
 * messages routed by subject, each resolved on the broker's ack. amqplib is loaded on
 * the first connect.
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { BrokerMessage, BrokerPublisher } from '../../core/events/broker-publisher.js';
import { abortable } from '../../tools/abortable.js';
import type { OutboundPolicy } from '../../tools/outbound-policy.js';
import type { AmqpTarget } from './broker-targets.js';
import { brokerErrorMessage } from './broker-error.js';
import { ReopeningLink } from './reopening-link.js';

/** What an AmqpPublisher needs besides its target. */
export interface AmqpPublisherOptions {
  /** Which broker addresses may be reached (`--outboundAllow`). */
  policy: OutboundPolicy;
  /** How long connecting and the AMQP handshake may stay silent. */
  connectTimeoutMs: number;
}

interface Link {
  model: ChannelModel;
  channel: ConfirmChannel;
}

/**
 * An AmqpPublisher sends to one RabbitMQ target. A dropped connection is noticed by
 * its close event and reopened by the next publish (the outbox retries the one that failed).
 */
export class AmqpPublisher implements BrokerPublisher {
  private readonly link = new ReopeningLink<Link>((dropped) => this.open(dropped), (l) => closeModel(l.model));

  constructor(private readonly target: AmqpTarget, private readonly options: AmqpPublisherOptions) {}

  async publish(message: BrokerMessage, signal: AbortSignal): Promise<void> {
    const { channel } = await abortable(this.link.get(), signal, `connecting to ${this.target.where}`);
    const confirmed = new Promise<void>((resolve, reject) => {
      try {
        channel.publish(this.target.exchange, message.subject, Buffer.from(message.body), {
          persistent: true, messageId: message.id, contentType: 'application/json', headers: message.headers,
          timestamp: Math.floor(Date.now() / 1000), appId: 'plinth',
        }, (err: unknown) => (err ? reject(new Error(`RabbitMQ at ${this.target.where} did not confirm: ${brokerErrorMessage(err)}`)) : resolve()));
      } catch (err) {
        // A channel that closed between connect and publish throws at once.
        reject(new Error(`publishing to ${this.target.where} failed: ${brokerErrorMessage(err)}`));
      }
    });
    await abortable(confirmed, signal, `waiting for RabbitMQ at ${this.target.where} to confirm`);
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private async open(dropped: () => void): Promise<Link> {
    const { policy, connectTimeoutMs } = this.options;
    // SECURITY: the broker's address is checked like a webhook's (--outboundAllow): before
    // connecting, and by the socket's lookup when it connects (DNS may change in between).
    const refused = await policy.checkHost(this.target.host, false);
    if (refused !== null) throw new Error(`refused broker ${refused}`);
    const amqp = await import('amqplib');
    let model: ChannelModel;
    try {
      model = await amqp.connect(this.target.connectUrl, { timeout: connectTimeoutMs, lookup: policy.lookup(false), clientProperties: { connection_name: 'plinth' } });
    } catch (err) {
      throw new Error(`connecting to RabbitMQ at ${this.target.where} failed: ${brokerErrorMessage(err)}`);
    }
    if (this.link.closed) {
      await closeModel(model);
      throw new Error('the publisher is closed');
    }
    // Errors also arrive as close events; without a listener an 'error' would throw.
    model.on('error', () => undefined);
    model.on('close', () => {
      dropped();
    });
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        // The channel dies with a refused publish or a broker-side close: start over with a new connection.
        dropped();
        void closeModel(model);
      });
      await channel.assertExchange(this.target.exchange, 'topic', { durable: true });
      return { model, channel };
    } catch (err) {
      await closeModel(model);
      throw new Error(`declaring exchange ${this.target.exchange} at ${this.target.where} failed: ${brokerErrorMessage(err)}`);
    }
  }
}

/** The longest a close may wait for the broker's CloseOk. */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * Closes a connection, whatever state it is in. NOTE: amqplib's close() never settles when
 * the socket dies while it waits for the broker's CloseOk; the close event (or a timer) ends the wait.
 */
function closeModel(model: ChannelModel): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    model.once('close', done);
    model.close().then(done, done);
  });
}

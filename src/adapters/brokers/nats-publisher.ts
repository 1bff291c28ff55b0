/**
 * Publishes events to NATS JetStream (docs/outbound.md §4): one connection per target,
 * the stream ensured on connect (created over `plinth.>` when missing, never changed
 * when present), each message published with its id as `Nats-Msg-Id` and resolved on
 * the stream's PubAck. The nats client reconnects by itself; nats is loaded on the
 * first connect.
 */
import type { JetStreamClient, JetStreamManager, MsgHdrs, NatsConnection, NatsError } from 'nats';
import type { BrokerMessage, BrokerPublisher } from '../../core/events/broker-publisher.js';
import { abortable } from '../../tools/abortable.js';
import type { OutboundPolicy } from '../../tools/outbound-policy.js';
import { STREAM_SUBJECTS, type NatsTarget } from './broker-targets.js';
import { brokerErrorMessage } from './broker-error.js';
import { ReopeningLink } from './reopening-link.js';

/** What a NatsPublisher needs besides its target. */
export interface NatsPublisherOptions {
  /** Which broker addresses may be reached (`--outboundAllow`). */
  policy: OutboundPolicy;
  /** How long connecting and the NATS handshake may take. */
  connectTimeoutMs: number;
}

interface Link {
  nc: NatsConnection;
  js: JetStreamClient;
  /** nats's `headers()` factory. */
  headers: () => MsgHdrs;
}

/** JetStream's error code for "stream not found". */
const STREAM_NOT_FOUND = 10059;

/** A NatsPublisher sends to one NATS JetStream target. */
export class NatsPublisher implements BrokerPublisher {
  // NOTE: close, not drain: every publish already awaited its ack, and drain waits for a reconnect.
  private readonly link = new ReopeningLink<Link>((dropped) => this.open(dropped), (l) => l.nc.close().catch(() => undefined));

  constructor(private readonly target: NatsTarget, private readonly options: NatsPublisherOptions) {}

  async publish(message: BrokerMessage, signal: AbortSignal): Promise<void> {
    const { js, headers } = await abortable(this.link.get(), signal, `connecting to ${this.target.where}`);
    const h = headers();
    for (const [name, value] of Object.entries(message.headers)) h.set(name, value);
    const acked = js.publish(message.subject, new TextEncoder().encode(message.body), { msgID: message.id, headers: h }).then(
      () => undefined,
      (err: unknown) => {
        throw new Error(`JetStream at ${this.target.where} did not ack: ${natsPublishError(err, message.subject)}`);
      },
    );
    await abortable(acked, signal, `waiting for JetStream at ${this.target.where} to ack`);
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private async open(dropped: () => void): Promise<Link> {
    const { policy, connectTimeoutMs } = this.options;
    // SECURITY: the server's address is checked like a webhook's (--outboundAllow). NOTE: the
    // nats client dials by itself (no lookup hook); it is kept to this one server, not the
    // cluster's gossiped addresses, and a reconnect after a DNS change is not re-checked.
    const refused = await policy.checkHost(this.target.host, false);
    if (refused !== null) throw new Error(`refused broker ${refused}`);
    const { connect, headers } = await import('nats');
    const { server, user, pass, token } = this.target;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: server, user, pass, token, name: 'plinth', timeout: connectTimeoutMs,
        ignoreClusterUpdates: true, reconnect: true, maxReconnectAttempts: -1, waitOnFirstConnect: false,
      });
    } catch (err) {
      throw new Error(`connecting to NATS at ${this.target.where} failed: ${brokerErrorMessage(err)}`);
    }
    // A connection the client gave up on (closed) is replaced by the next publish.
    void nc.closed().then(() => {
      dropped();
    });
    try {
      if (this.link.closed) throw new Error('the publisher is closed');
      await ensureStream(await nc.jetstreamManager(), this.target.stream);
      return { nc, js: nc.jetstream(), headers };
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw new Error(`ensuring stream ${this.target.stream} at ${this.target.where} failed: ${natsPublishError(err, '')}`);
    }
  }
}

/**
 * Creates `name` over `plinth.>` unless it exists. An existing stream is used as it is,
 * whatever its subjects: its configuration is the operator's (docs/outbound.md §4).
 */
async function ensureStream(jsm: JetStreamManager, name: string): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (err) {
    if ((err as NatsError).api_error?.err_code !== STREAM_NOT_FOUND) throw err;
  }
  try {
    await jsm.streams.add({ name, subjects: STREAM_SUBJECTS });
  } catch (err) {
    // Another node may have created it meanwhile.
    await jsm.streams.info(name).catch(() => {
      throw err;
    });
  }
}

/** A NATS error as one line; "no responders" means no stream captures the subject. */
function natsPublishError(err: unknown, subject: string): string {
  const e = err as Partial<NatsError>;
  if (e.code === '503') return subject ? `no stream captures subject ${subject}` : 'JetStream is not enabled on this server';
  if (e.api_error?.description) return `${e.api_error.description} (${e.api_error.err_code ?? e.api_error.code})`;
  return brokerErrorMessage(err);
}

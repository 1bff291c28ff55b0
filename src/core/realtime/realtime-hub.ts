/**
 * The RealtimeHub holds this node's SSE clients (docs/api.md §6) and fans committed
 * record events out to them. Events arrive through the Bus, never straight
 * from the write, so a write on any node reaches subscribers on every node.
 */
import { AppError, badRequest, notFound, tooManyRequests } from '../../errors/app-error.js';
import { unavailable } from '../../errors/service-unavailable.js';
import type { Schema } from '../collections/schema.js';
import type { AuthInfo } from '../rules/request-info.js';
import type { Bus } from './bus.js';
import { DirectMessages } from './direct-messages.js';
import { FanOutQueue } from './fan-out-queue.js';
import type { RealtimeClient, RealtimeConnection } from './realtime-client.js';
import { RealtimeClients, sameRecord } from './realtime-clients.js';
import type { RealtimeDeliveryDeps } from './realtime-delivery.js';
import { RealtimeFanOut } from './realtime-fan-out.js';
import { DEFAULT_REALTIME_LIMITS, type RealtimeLimits } from './realtime-limits.js';
import { RealtimeSweeper, type RealtimeTimeouts } from './realtime-sweeper.js';
import { TopicCache } from './topic-cache.js';
import type { RealtimeMessageEvent } from './realtime-message-event.js';
import type { Hook } from '../../tools/hook.js';
import type { Topic } from './realtime-topic.js';
import { decodeRecordEvents, RECORD_EVENTS_CHANNEL, type WireRecordEvent } from './record-event-message.js';
import { codeError } from '../../errors/code-error.js';
import { RemoteSubscriptions, type ForwardedAuth } from './remote-subscriptions.js';

export { DEFAULT_REALTIME_TIMEOUTS, type RealtimeTimeouts } from './realtime-sweeper.js';

/** What the hub needs. */
export interface RealtimeHubDeps extends RealtimeDeliveryDeps {
  bus: Bus;
  schema: Schema;
  timeouts?: Partial<RealtimeTimeouts>;
  /** The node's realtime budgets; unset ones take DEFAULT_REALTIME_LIMITS. */
  limits?: Partial<RealtimeLimits>;
  /** Reports failures that cannot reach a client (a fan-out query failed, a bus error). */
  onError?: (err: unknown) => void;
  /** `onRealtimeMessageSend` (docs/hooks.md §2) and the app its events carry. */
  messages?: { hook: Hook<RealtimeMessageEvent>; app(): unknown };
  /**
   * Whether other nodes share the Bus (Redis): then a subscribe call for a client this
   * node does not hold is forwarded to the node that does (docs/api.md §6.5).
   */
  crossNode?: boolean;
  /** The signed-in record of an identity another node verified (RemoteSubscriptions); without it forwarded auth is refused. */
  findAuth?: (auth: ForwardedAuth) => Promise<AuthInfo | null>;
}

/** The message of docs/api.md §6.2 for an auth change on a client. */
const AUTH_MISMATCH = "The current and the previous request authorization don't match.";

/** Seconds a client refused for holding too many streams is told to wait (`Retry-After`). */
const RETRY_STREAM_AFTER_SECONDS = 10;

/** RealtimeHub manages clients, their subscriptions and bound auth, and delivers events. */
export class RealtimeHub {
  private readonly clients: RealtimeClients;
  private readonly topics = new TopicCache();
  private readonly limits: RealtimeLimits;
  private readonly fanOut: RealtimeFanOut;
  private readonly direct: DirectMessages;
  private readonly sweeper: RealtimeSweeper;
  private readonly queue: FanOutQueue<WireRecordEvent>;
  private readonly remote: RemoteSubscriptions;
  private offBus: (() => Promise<void>) | undefined;

  constructor(private readonly deps: RealtimeHubDeps) {
    const onError = deps.onError ?? (() => undefined);
    this.limits = { ...DEFAULT_REALTIME_LIMITS, ...deps.limits };
    this.clients = new RealtimeClients(deps.schema);
    this.fanOut = new RealtimeFanOut({ ...deps, clients: this.clients, batchSize: this.limits.batchSize, onError });
    this.sweeper = new RealtimeSweeper(this.clients, deps.timeouts);
    // One queue keeps each client's events in commit order.
    this.queue = new FanOutQueue(this.limits.maxQueuedEvents, (event) => this.fanOut.fanOut(event), (dropped) => this.fanOut.shed(dropped), onError);
    this.direct = new DirectMessages(deps.bus, (clientId) => this.clients.get(clientId), (client, name, data) => this.fanOut.write(client, name, data), onError);
    this.remote = new RemoteSubscriptions({
      bus: deps.bus,
      holds: (clientId) => this.clients.get(clientId) !== undefined,
      apply: (clientId, subscriptions, auth, ip) => this.setSubscriptions(clientId, subscriptions, auth, ip),
      findAuth: deps.findAuth ?? (async () => null),
      onError,
    });
  }

  /** The number of open clients on this node. */
  get size(): number {
    return this.clients.size;
  }

  /** How many topics the clients of this node subscribe to; counted when asked (metrics, docs/observability.md §1). */
  get subscriptionCount(): number {
    let n = 0;
    for (const client of this.clients.values()) n += client.topics.length;
    return n;
  }

  /** Subscribes to the Bus and starts the lifetime sweeper. */
  async start(): Promise<void> {
    this.offBus = await this.deps.bus.subscribe(RECORD_EVENTS_CHANNEL, (message) => {
      // A node without streams has no one to tell: most writes of a busy API node end here.
      if (this.clients.size === 0) return;
      this.queue.push(decodeRecordEvents(message));
    });
    await this.direct.start();
    if (this.deps.crossNode) await this.remote.start();
    this.setTimeouts({});
  }

  /** Changes the lifetimes (tests shorten them) and restarts the sweeper. */
  setTimeouts(timeouts: Partial<RealtimeTimeouts>): void {
    this.sweeper.start(timeouts);
  }

  /** Closes every client, waits for pending deliveries and leaves the Bus. */
  async stop(): Promise<void> {
    this.sweeper.stop();
    this.closeAll();
    await this.offBus?.();
    await this.direct.stop();
    await this.remote.stop();
    await this.queue.idle();
  }

  /** Ends every open stream (server shutdown). */
  closeAll(): void {
    for (const client of this.clients.list()) client.end();
  }

  /**
   * Throws unless the node may open one more stream for this client IP: 429 when the IP
   * holds its share already, 503 when the node is full. Call it before answering, then
   * connect() without anything asynchronous in between.
   */
  assertRoom(ip: string): void {
    // SECURITY: streams cost memory for as long as they stay open; without a cap one
    // client could hold them until the node runs out of memory or file descriptors.
    if (this.clients.streamsOf(ip) >= this.limits.maxStreamsPerIp) throw tooManyRequests(RETRY_STREAM_AFTER_SECONDS);
    if (this.clients.size >= this.limits.maxStreams) throw unavailable();
  }

  /** Registers a new stream and sends PB_CONNECT (docs/api.md §6.1); the caller reports its end via disconnect(). */
  connect(connection: RealtimeConnection, ip: string): RealtimeClient {
    const client = this.clients.add(connection, ip);
    this.fanOut.write(client, 'PB_CONNECT', JSON.stringify({ clientId: client.id }));
    return client;
  }

  /** The client with this id on this node, if any. */
  client(clientId: string): RealtimeClient | undefined {
    return this.clients.get(clientId);
  }

  /** Forgets a client and everything it held; safe to call more than once. */
  disconnect(client: RealtimeClient): void {
    if (this.clients.remove(client)) client.end();
  }

  /**
   * Replaces a client's subscriptions and binds the caller's auth (docs/api.md §6.2).
   * Throws 404 for an unknown client, 400 for another IP, 400 for more distinct option
   * sets than the budget, 403 for an auth change; a refused call changes nothing.
   */
  setSubscriptions(clientId: string, subscriptions: readonly string[], auth: AuthInfo | null, ip: string): void {
    const client = this.clients.get(clientId);
    if (!client) throw notFound('Missing or invalid client id.');
    // SECURITY: a client id leaked to another machine cannot be driven from there.
    if (client.ip !== ip) throw badRequest('Invalid realtime client.');
    const topics = [...new Set(subscriptions)].map((raw) => this.topics.get(raw));
    this.assertOptionSets(topics);
    const bound = this.clients.currentAuth(client);
    if (bound && !sameRecord(bound, auth)) throw new AppError(403, AUTH_MISMATCH);
    this.clients.subscribe(client, topics, auth);
  }

  /**
   * setSubscriptions for a client on any node (docs/api.md §6.5): applied here when this
   * node holds it, else forwarded over the Bus to the node that does, which answers as a
   * local call would; 404 when no node answers within SUBSCRIBE_REPLY_TIMEOUT_MS.
   */
  async setSubscriptionsAnywhere(clientId: string, subscriptions: readonly string[], auth: AuthInfo | null, ip: string): Promise<void> {
    if (this.clients.get(clientId) || !this.deps.crossNode) return this.setSubscriptions(clientId, subscriptions, auth, ip);
    await this.remote.forward(clientId, subscriptions, auth, ip);
  }

  /** Whether the client may be held by another node: not on this one, and other nodes share the Bus. */
  isElsewhere(clientId: string): boolean {
    return !this.clients.get(clientId) && this.deps.crossNode === true;
  }

  /**
   * Sends `data` as event `topic` to one client that subscribed to `topic`, from the
   * same IP, on whichever node holds it, then drops that subscription (the `@oauth2`
   * flow of docs/api.md §5.5). Resolves to whether a client received it.
   */
  sendToClient(clientId: string, topic: string, data: unknown, ip: string): Promise<boolean> {
    return this.direct.send(clientId, topic, JSON.stringify(data), ip);
  }

  /**
   * SECURITY: each distinct option set of a client costs a rule query and an expand
   * per event (docs/api.md §6.3), so their number is the client's budget per event.
   */
  private assertOptionSets(topics: readonly Topic[]): void {
    const max = this.limits.maxOptionSets;
    const sets = new Set<string>();
    for (const t of topics) if (t.collection) sets.add(t.optionsKey);
    if (sets.size <= max) return;
    throw badRequest('Something went wrong while processing your request.', {
      subscriptions: codeError('validation_too_many_subscription_options', { max }),
    });
  }
}

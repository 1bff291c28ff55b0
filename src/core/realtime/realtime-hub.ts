/**
 * The RealtimeHub holds this node's SSE clients (docs/api.md §6) and fans committed
 * record events out to them. Events arrive through the Bus, never straight
 * from the write, so a write on any node reaches subscribers on every node.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AppError, badRequest, notFound, tooManyRequests } from '../../errors/app-error.js';
import { unavailable } from '../../errors/service-unavailable.js';
import { isAuthCollection, type Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { AuthInfo } from '../rules/request-info.js';
import type { Bus } from './bus.js';
import { ClientIndex } from './client-index.js';
import { DirectMessages } from './direct-messages.js';
import { FanOutQueue } from './fan-out-queue.js';
import { RealtimeClient, type BoundAuth, type RealtimeConnection } from './realtime-client.js';
import { RealtimeDelivery, type DeliveryEvent, type RealtimeDeliveryDeps } from './realtime-delivery.js';
import { DEFAULT_REALTIME_LIMITS, StreamCounts, type RealtimeLimits } from './realtime-limits.js';
import { TopicCache } from './topic-cache.js';
import type { RealtimeMessageEvent } from './realtime-message-event.js';
import type { Hook } from '../../tools/hook.js';
import type { Topic } from './realtime-topic.js';
import { decodeRecordEvents, RECORD_EVENTS_CHANNEL, type WireRecordEvent } from './record-event-message.js';
import { codeError } from '../../errors/code-error.js';

/** Stream lifetimes of docs/api.md §6.1, injectable so tests can use short ones. */
export interface RealtimeTimeouts {
  /** Close a stream after this long without a sent frame (spec: 5 min). */
  idleMs: number;
  /** Close a stream this long after it opened (spec: 30 min). */
  maxLifetimeMs: number;
  /** How often one timer sweeps every client for the two limits above. */
  sweepMs: number;
}

/** The spec's lifetimes (docs/api.md §6.1). */
export const DEFAULT_REALTIME_TIMEOUTS: RealtimeTimeouts = { idleMs: 5 * 60_000, maxLifetimeMs: 30 * 60_000, sweepMs: 5_000 };

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
}

/** The message of docs/api.md §6.2 for an auth change on a client. */
const AUTH_MISMATCH = "The current and the previous request authorization don't match.";

/** Seconds a client refused for holding too many streams is told to wait (`Retry-After`). */
const RETRY_STREAM_AFTER_SECONDS = 10;

/**
 * The last frame of a stream cut because the node fell behind on fan-out: not a
 * PocketBase event (the SDK ignores it and reconnects), a note for whoever reads the
 * stream that events were missed and should be fetched again.
 */
const OVERLOAD_EVENT = 'PB_DISCONNECT';
const OVERLOAD_DATA = JSON.stringify({ reason: 'The server fell behind on realtime events; reconnect and fetch again.' });

/** The event-loop time one batch of fan-out should stay under before the loop gets a turn. */
const SLICE_MS = 10;

/** Subscribers of one event that see it alike, rendered once for all of them. */
interface DeliveryGroup {
  topic: Topic;
  auth: AuthInfo | null;
  /** Each subscriber's client and the name of its event (its subscription string). */
  targets: Array<[RealtimeClient, string]>;
}

/** RealtimeHub manages clients, their subscriptions and bound auth, and delivers events. */
export class RealtimeHub {
  private readonly clients = new Map<string, RealtimeClient>();
  /** Clients by topicKey() of their topics, so an event only visits clients of its collection or record. */
  private readonly byTopic = new ClientIndex<RealtimeClient>();
  /** Clients by the id of their bound auth record. */
  private readonly byAuth = new ClientIndex<RealtimeClient>();
  private readonly topics = new TopicCache();
  private readonly streamsByIp = new StreamCounts();
  private readonly limits: RealtimeLimits;
  private readonly delivery: RealtimeDelivery;
  private readonly direct: DirectMessages;
  private readonly onError: (err: unknown) => void;
  private timeouts: RealtimeTimeouts;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly queue: FanOutQueue<WireRecordEvent>;
  private offBus: (() => Promise<void>) | undefined;

  constructor(private readonly deps: RealtimeHubDeps) {
    this.delivery = new RealtimeDelivery(deps);
    this.onError = deps.onError ?? (() => undefined);
    this.timeouts = { ...DEFAULT_REALTIME_TIMEOUTS, ...deps.timeouts };
    this.limits = { ...DEFAULT_REALTIME_LIMITS, ...deps.limits };
    // One queue keeps each client's events in commit order.
    this.queue = new FanOutQueue(this.limits.maxQueuedEvents, (event) => this.fanOut(event), (dropped) => this.shed(dropped), this.onError);
    this.direct = new DirectMessages(deps.bus, (clientId) => this.clients.get(clientId), (client, name, data) => this.write(client, name, data), this.onError);
  }

  /** The number of open clients on this node. */
  get size(): number {
    return this.clients.size;
  }

  /** Subscribes to the Bus and starts the lifetime sweeper. */
  async start(): Promise<void> {
    this.offBus = await this.deps.bus.subscribe(RECORD_EVENTS_CHANNEL, (message) => {
      // A node without streams has no one to tell: most writes of a busy API node end here.
      if (this.clients.size === 0) return;
      this.queue.push(decodeRecordEvents(message));
    });
    await this.direct.start();
    this.setTimeouts({});
  }

  /** Changes the lifetimes (tests shorten them) and restarts the sweeper. */
  setTimeouts(timeouts: Partial<RealtimeTimeouts>): void {
    this.timeouts = { ...this.timeouts, ...timeouts };
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(), this.timeouts.sweepMs);
    this.sweeper.unref();
  }

  /** Closes every client, waits for pending deliveries and leaves the Bus. */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.closeAll();
    await this.offBus?.();
    await this.direct.stop();
    await this.queue.idle();
  }

  /** Ends every open stream (server shutdown). */
  closeAll(): void {
    for (const client of [...this.clients.values()]) client.end();
  }

  /**
   * Throws unless the node may open one more stream for this client IP: 429 when the IP
   * holds its share already, 503 when the node is full. Call it before answering, then
   * connect() without anything asynchronous in between.
   */
  assertRoom(ip: string): void {
    // SECURITY: streams cost memory for as long as they stay open; without a cap one
    // client could hold them until the node runs out of memory or file descriptors.
    if (this.streamsByIp.of(ip) >= this.limits.maxStreamsPerIp) throw tooManyRequests(RETRY_STREAM_AFTER_SECONDS);
    if (this.clients.size >= this.limits.maxStreams) throw unavailable();
  }

  /** Registers a new stream and sends PB_CONNECT (docs/api.md §6.1); the caller reports its end via disconnect(). */
  connect(connection: RealtimeConnection, ip: string): RealtimeClient {
    let id = newClientId();
    while (this.clients.has(id)) id = newClientId();
    const client = new RealtimeClient(id, ip, Date.now(), connection);
    this.clients.set(id, client);
    this.streamsByIp.add(ip);
    this.write(client, 'PB_CONNECT', JSON.stringify({ clientId: id }));
    return client;
  }

  /** The client with this id on this node, if any. */
  client(clientId: string): RealtimeClient | undefined {
    return this.clients.get(clientId);
  }

  /** Forgets a client and everything it held; safe to call more than once. */
  disconnect(client: RealtimeClient): void {
    if (this.clients.get(client.id) !== client) return;
    this.clients.delete(client.id);
    this.streamsByIp.remove(client.ip);
    this.index(client, client.topics, []);
    this.bind(client, null);
    client.end();
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
    const bound = this.currentAuth(client);
    if (bound && !sameRecord(bound, auth)) throw new AppError(403, AUTH_MISMATCH);
    this.index(client, client.topics, topics);
    client.topics = topics;
    this.bind(client, auth);
  }

  /**
   * Sends `data` as event `topic` to one client that subscribed to `topic`, from the
   * same IP, on whichever node holds it, then drops that subscription (the `@oauth2`
   * flow of docs/api.md §5.5). Resolves to whether a client received it.
   */
  sendToClient(clientId: string, topic: string, data: unknown, ip: string): Promise<boolean> {
    return this.direct.send(clientId, topic, JSON.stringify(data), ip);
  }

  private sweep(): void {
    const now = Date.now();
    const { idleMs, maxLifetimeMs } = this.timeouts;
    for (const client of this.clients.values()) {
      if (now - client.lastSentAt >= idleMs || now - client.createdAt >= maxLifetimeMs) client.end();
    }
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

  private async fanOut(wire: WireRecordEvent): Promise<void> {
    const collection = this.deps.schema.find(wire.collectionId);
    if (!collection || collection.id !== wire.collectionId || collection.type === 'view') return;
    const event: DeliveryEvent = { action: wire.action, collection, record: wire.record };
    // Auth changes apply first: a session whose token was revoked by this write gets no more.
    if (collection.type === 'auth') this.followAuthChange(event);
    await this.deliver(event);
  }

  /**
   * Renders the event once per group of subscribers that see it alike, a batch of
   * groups at a time, yielding to the event loop between batches.
   *
   * SECURITY: on SQLite a rule query runs on the event loop, so one event with
   * thousands of differently-optioned subscribers would hold the loop for all of them
   * at once; between batches every request waiting on the loop gets its turn. A batch
   * that kept the loop busy past SLICE_MS halves the next one (down to one group), a
   * quick one grows it by one (up to batchSize): PostgreSQL, whose queries wait off the
   * loop, keeps large concurrent batches, SQLite (or a loaded machine) small ones.
   */
  private async deliver(event: DeliveryEvent): Promise<void> {
    const groups = this.groupSubscribers(event);
    const max = this.limits.batchSize;
    let size = max;
    for (let i = 0; i < groups.length;) {
      const before = performance.eventLoopUtilization();
      const batch = groups.slice(i, i + size);
      i += batch.length;
      await Promise.all(batch.map((g) => this.deliverToGroup(event, g)));
      if (i === groups.length) break;
      const busyMs = performance.eventLoopUtilization(before).active;
      if (busyMs > SLICE_MS) size = Math.max(1, size >> 1);
      else if (busyMs < SLICE_MS / 2) size = Math.min(max, size + 1);
      await yieldToLoop();
    }
  }

  /** The subscribers of an event, grouped by what they see of it. */
  private groupSubscribers(event: DeliveryEvent): DeliveryGroup[] {
    const c = event.collection;
    const candidates = new Set<RealtimeClient>();
    for (const name of new Set([c.id, c.name])) {
      for (const recordId of [null, String(event.record.id)]) {
        for (const client of this.byTopic.get(topicKey(name, recordId))) candidates.add(client);
      }
    }
    const groups = new Map<string, DeliveryGroup>();
    for (const client of candidates) {
      const auth = this.currentAuth(client)?.info ?? null;
      for (const topic of client.topics) {
        if (topic.recordId !== null && topic.recordId !== event.record.id) continue;
        if (!topic.collection || this.deps.schema.find(topic.collection)?.id !== c.id) continue;
        const key = this.delivery.groupKey(topic, auth);
        const group = groups.get(key);
        if (group) group.targets.push([client, topic.raw]);
        else groups.set(key, { topic, auth, targets: [[client, topic.raw]] });
      }
    }
    return [...groups.values()];
  }

  private async deliverToGroup(event: DeliveryEvent, group: DeliveryGroup): Promise<void> {
    let data: string | null;
    try {
      data = await this.delivery.render(event, group.topic, group.auth);
    } catch (err) {
      // Fail closed for this group; the others still get the event.
      this.onError(err);
      return;
    }
    if (data === null) return;
    if (!this.quiet) {
      // Awaited one by one, so each client still gets its events in commit order.
      for (const [client, name] of group.targets) await this.sendHooked(client, name, data);
      return;
    }
    const now = Date.now();
    for (const [client, name] of group.targets) client.send(name, data, now);
  }

  /** Whether no `onRealtimeMessageSend` handler is bound: messages are written directly (the fast path). */
  private get quiet(): boolean {
    return this.deps.messages?.hook.isEmpty ?? true;
  }

  /** Writes one message to a client: directly, or through `onRealtimeMessageSend` when a handler is bound. */
  private write(client: RealtimeClient, name: string, data: string): void {
    if (this.quiet) client.send(name, data, Date.now());
    else void this.sendHooked(client, name, data);
  }

  /** Sends one message through `onRealtimeMessageSend`: handlers may change it, or drop it by not calling `e.next()`. */
  private async sendHooked(client: RealtimeClient, name: string, data: string): Promise<void> {
    const messages = this.deps.messages!;
    try {
      await messages.hook.trigger({ app: messages.app(), client, message: { name, data } }, [], (e) => {
        client.send(e.message.name, e.message.data, Date.now());
      });
    } catch (err) {
      // The message is dropped; the stream and the other clients carry on.
      this.onError(err);
    }
  }

  /**
   * The fan-out queue overflowed: its events are dropped, so their subscribers are cut
   * with a last frame and reconnect (the SDK does so by itself) rather than silently
   * miss them. Auth changes among them still apply.
   */
  private shed(dropped: readonly WireRecordEvent[]): void {
    const missed = new Set<string>();
    for (const wire of dropped) {
      const collection = this.deps.schema.find(wire.collectionId);
      if (!collection || collection.id !== wire.collectionId) continue;
      missed.add(collection.id);
      if (collection.type === 'auth') this.followAuthChange({ action: wire.action, collection, record: wire.record });
    }
    this.onError(new Error(`realtime fan-out fell ${dropped.length} events behind; cutting their subscribers`));
    for (const client of [...this.clients.values()]) {
      const hit = client.topics.some((t) => t.collection !== '' && missed.has(this.deps.schema.find(t.collection)?.id ?? ''));
      if (!hit) continue;
      // The last frame goes through onRealtimeMessageSend like every other, then the stream ends.
      if (this.quiet) {
        client.send(OVERLOAD_EVENT, OVERLOAD_DATA, Date.now());
        client.end();
      } else {
        void this.sendHooked(client, OVERLOAD_EVENT, OVERLOAD_DATA).then(() => client.end());
      }
    }
  }

  /** docs/api.md §6.2: unbind on delete or tokenKey change, follow other updates of the bound record. */
  private followAuthChange(event: DeliveryEvent): void {
    if (event.action === 'create') return;
    const id = String(event.record.id);
    for (const client of this.byAuth.get(id)) {
      const bound = client.auth;
      if (!bound || bound.info.collection.id !== event.collection.id) continue;
      if (event.action === 'delete' || bound.info.record.tokenKey !== event.record.tokenKey) this.bind(client, null);
      else bound.info = { ...bound.info, collection: event.collection, record: event.record };
    }
  }

  /** The client's bound auth, unbinding it first if its collection's token secret changed. */
  private currentAuth(client: RealtimeClient): BoundAuth | null {
    const bound = client.auth;
    if (!bound) return null;
    const c = this.deps.schema.find(bound.info.collection.id);
    if (c && c.id === bound.info.collection.id && isAuthCollection(c) && secretOf(c) === bound.secret) return bound;
    this.bind(client, null);
    return null;
  }

  private bind(client: RealtimeClient, auth: AuthInfo | null): void {
    const oldId = client.auth ? String(client.auth.info.record.id) : null;
    if (oldId !== null) this.byAuth.delete(oldId, client);
    client.auth = auth ? { info: { collection: auth.collection, record: auth.record }, secret: secretOf(auth.collection) } : null;
    if (auth) this.byAuth.add(String(auth.record.id), client);
  }

  private index(client: RealtimeClient, before: readonly Topic[], after: readonly Topic[]): void {
    for (const t of before) if (t.collection) this.byTopic.delete(topicKey(t.collection, t.recordId), client);
    for (const t of after) if (t.collection) this.byTopic.add(topicKey(t.collection, t.recordId), client);
  }
}

/** The index key of a topic: collection names match case-insensitively, record ids exactly. */
function topicKey(collection: string, recordId: string | null): string {
  return `${collection.toLowerCase()}/${recordId ?? '*'}`;
}

/** 40 random characters, like PocketBase's client ids (docs/api.md §6.1). */
function newClientId(): string {
  return randomBytes(30).toString('base64url');
}

function secretOf(c: Collection): string {
  return isAuthCollection(c) ? c.authToken.secret : '';
}

function sameRecord(bound: BoundAuth, auth: AuthInfo | null): boolean {
  return !!auth && auth.collection.id === bound.info.collection.id && auth.record.id === bound.info.record.id;
}

/**
 * The RealtimeFanOut turns the committed record events this node receives from the Bus
 * into SSE messages for its subscribers (docs/api.md §6.3, §6.4): each group of
 * subscribers that see an event alike gets it rendered once, through the rule checks of
 * RealtimeDelivery. When the node falls behind, it cuts the subscribers it failed.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Schema } from '../collections/schema.js';
import type { AuthInfo } from '../rules/request-info.js';
import type { Hook } from '../../tools/hook.js';
import type { RealtimeClient } from './realtime-client.js';
import type { RealtimeClients } from './realtime-clients.js';
import { RealtimeDelivery, type DeliveryEvent, type RealtimeDeliveryDeps } from './realtime-delivery.js';
import type { RealtimeMessageEvent } from './realtime-message-event.js';
import type { Topic } from './realtime-topic.js';
import type { WireRecordEvent } from './record-event-message.js';

/** What the RealtimeFanOut needs. */
export interface RealtimeFanOutDeps extends RealtimeDeliveryDeps {
  schema: Schema;
  clients: RealtimeClients;
  /** The most subscriber groups rendered at once (RealtimeLimits.batchSize). */
  batchSize: number;
  /** Reports failures that cannot reach a client (a rule query failed, a handler threw). */
  onError: (err: unknown) => void;
  /** `onRealtimeMessageSend` (docs/hooks.md §2) and the app its events carry. */
  messages?: { hook: Hook<RealtimeMessageEvent>; app(): unknown };
}

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

/** RealtimeFanOut delivers record events to the subscribers of this node. */
export class RealtimeFanOut {
  private readonly delivery: RealtimeDelivery;

  constructor(private readonly deps: RealtimeFanOutDeps) {
    this.delivery = new RealtimeDelivery(deps);
  }

  /** Delivers one committed record event; auth changes apply first. */
  async fanOut(wire: WireRecordEvent): Promise<void> {
    const collection = this.deps.schema.find(wire.collectionId);
    if (!collection || collection.id !== wire.collectionId || collection.type === 'view') return;
    const event: DeliveryEvent = { action: wire.action, collection, record: wire.record };
    // Auth changes apply first: a session whose token was revoked by this write gets no more.
    if (collection.type === 'auth') this.deps.clients.followAuthChange(event);
    await this.deliver(event);
  }

  /**
   * The fan-out queue overflowed: its events are dropped, so their subscribers are cut
   * with a last frame and reconnect (the SDK does so by itself) rather than silently
   * miss them. Auth changes among them still apply.
   */
  shed(dropped: readonly WireRecordEvent[]): void {
    const { schema, clients } = this.deps;
    const missed = new Set<string>();
    for (const wire of dropped) {
      const collection = schema.find(wire.collectionId);
      if (!collection || collection.id !== wire.collectionId) continue;
      missed.add(collection.id);
      if (collection.type === 'auth') clients.followAuthChange({ action: wire.action, collection, record: wire.record });
    }
    this.deps.onError(new Error(`realtime fan-out fell ${dropped.length} events behind; cutting their subscribers`));
    for (const client of clients.list()) {
      const hit = client.topics.some((t) => t.collection !== '' && missed.has(schema.find(t.collection)?.id ?? ''));
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

  /** Writes one message to a client: directly, or through `onRealtimeMessageSend` when a handler is bound. */
  write(client: RealtimeClient, name: string, data: string): void {
    if (this.quiet) client.send(name, data, Date.now());
    else void this.sendHooked(client, name, data);
  }

  /** Whether no `onRealtimeMessageSend` handler is bound: messages are written directly (the fast path). */
  private get quiet(): boolean {
    return this.deps.messages?.hook.isEmpty ?? true;
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
      this.deps.onError(err);
    }
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
    const max = this.deps.batchSize;
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
    const { schema, clients } = this.deps;
    const c = event.collection;
    const groups = new Map<string, DeliveryGroup>();
    for (const client of clients.candidates(c, String(event.record.id))) {
      const auth = clients.currentAuth(client)?.info ?? null;
      for (const topic of client.topics) {
        if (topic.recordId !== null && topic.recordId !== event.record.id) continue;
        if (!topic.collection || schema.find(topic.collection)?.id !== c.id) continue;
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
      this.deps.onError(err);
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
}

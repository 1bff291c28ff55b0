/**
 * The RealtimeClients are this node's open SSE streams (docs/api.md §6.1), indexed by
 * their topics and by the auth record bound to them (docs/api.md §6.2), so an event
 * only visits the clients of its collection or record.
 */
import { randomBytes } from 'node:crypto';
import { isAuthCollection, type Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { AuthInfo } from '../rules/request-info.js';
import { ClientIndex } from './client-index.js';
import { RealtimeClient, type BoundAuth, type RealtimeConnection } from './realtime-client.js';
import type { DeliveryEvent } from './realtime-delivery.js';
import { StreamCounts } from './realtime-limits.js';
import type { Topic } from './realtime-topic.js';

/** RealtimeClients holds the clients of this node, their subscriptions and their bound auth. */
export class RealtimeClients {
  private readonly clients = new Map<string, RealtimeClient>();
  /** Clients by topicKey() of their topics, so an event only visits clients of its collection or record. */
  private readonly byTopic = new ClientIndex<RealtimeClient>();
  /** Clients by the id of their bound auth record. */
  private readonly byAuth = new ClientIndex<RealtimeClient>();
  private readonly streamsByIp = new StreamCounts();

  constructor(private readonly schema: Schema) {}

  /** The number of open clients. */
  get size(): number {
    return this.clients.size;
  }

  /** The client with this id, if any. */
  get(clientId: string): RealtimeClient | undefined {
    return this.clients.get(clientId);
  }

  /** A copy of the open clients, safe to end while iterating. */
  list(): RealtimeClient[] {
    return [...this.clients.values()];
  }

  /** The open clients, not copied. */
  values(): Iterable<RealtimeClient> {
    return this.clients.values();
  }

  /** How many streams this client IP holds. */
  streamsOf(ip: string): number {
    return this.streamsByIp.of(ip);
  }

  /** Registers a new stream under a fresh client id. */
  add(connection: RealtimeConnection, ip: string): RealtimeClient {
    let id = newClientId();
    while (this.clients.has(id)) id = newClientId();
    const client = new RealtimeClient(id, ip, Date.now(), connection);
    this.clients.set(id, client);
    this.streamsByIp.add(ip);
    return client;
  }

  /** Forgets a client and everything it held; false when it was gone already. */
  remove(client: RealtimeClient): boolean {
    if (this.clients.get(client.id) !== client) return false;
    this.clients.delete(client.id);
    this.streamsByIp.remove(client.ip);
    this.index(client, client.topics, []);
    this.bind(client, null);
    return true;
  }

  /** Replaces a client's topics and binds `auth` to it. */
  subscribe(client: RealtimeClient, topics: readonly Topic[], auth: AuthInfo | null): void {
    this.index(client, client.topics, topics);
    client.topics = topics;
    this.bind(client, auth);
  }

  /** The clients with a topic on collection `c` (by id or name), for the record `recordId` or for all. */
  candidates(c: Collection, recordId: string): Set<RealtimeClient> {
    const found = new Set<RealtimeClient>();
    for (const name of new Set([c.id, c.name])) {
      for (const id of [null, recordId]) {
        for (const client of this.byTopic.get(topicKey(name, id))) found.add(client);
      }
    }
    return found;
  }

  /** The client's bound auth, unbinding it first if its collection's token secret changed. */
  currentAuth(client: RealtimeClient): BoundAuth | null {
    const bound = client.auth;
    if (!bound) return null;
    const c = this.schema.find(bound.info.collection.id);
    if (c && c.id === bound.info.collection.id && isAuthCollection(c) && secretOf(c) === bound.secret) return bound;
    this.bind(client, null);
    return null;
  }

  /** docs/api.md §6.2: unbind on delete or tokenKey change, follow other updates of the bound record. */
  followAuthChange(event: DeliveryEvent): void {
    if (event.action === 'create') return;
    const id = String(event.record.id);
    for (const client of this.byAuth.get(id)) {
      const bound = client.auth;
      if (!bound || bound.info.collection.id !== event.collection.id) continue;
      if (event.action === 'delete' || bound.info.record.tokenKey !== event.record.tokenKey) this.bind(client, null);
      else bound.info = { ...bound.info, collection: event.collection, record: event.record };
    }
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

/** Whether `auth` is the record bound in `bound`. */
export function sameRecord(bound: BoundAuth, auth: AuthInfo | null): boolean {
  return !!auth && auth.collection.id === bound.info.collection.id && auth.record.id === bound.info.record.id;
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

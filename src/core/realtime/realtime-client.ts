/**
 * A RealtimeClient is one open SSE stream (docs/api.md §6.1): its id, the IP that
 * opened it, the auth bound by its last subscribe call and its topics. Kept
 * small: 10,000 of them must fit comfortably in one node.
 */
import type { AuthInfo } from '../rules/request-info.js';
import type { Topic } from './realtime-topic.js';

/** Where a client's frames go: the transport (an HTTP response) implements it. */
export interface RealtimeConnection {
  /** Writes one complete SSE frame. */
  write(frame: string): void;
  /** Ends the stream; the transport then reports the disconnect to the hub. */
  end(): void;
}

/** The auth bound to a client (docs/api.md §6.2) and the token secret it was valid under. */
export interface BoundAuth {
  info: AuthInfo;
  /** The collection's authToken secret when bound; a change of it unbinds (docs/api.md §6.2). */
  secret: string;
}

/** The topics of a client that has not subscribed yet: one shared empty list. */
const NO_TOPICS: readonly Topic[] = Object.freeze([]);

/** RealtimeClient holds one subscriber's state. */
export class RealtimeClient {
  auth: BoundAuth | null = null;
  topics: readonly Topic[] = NO_TOPICS;
  /** Milliseconds timestamp of the last frame sent, for the idle timeout. */
  lastSentAt: number;
  closed = false;

  constructor(
    readonly id: string,
    readonly ip: string,
    readonly createdAt: number,
    private readonly connection: RealtimeConnection,
  ) {
    this.lastSentAt = createdAt;
  }

  /** Sends one event in the exact frame format of docs/api.md §6.1. */
  send(name: string, data: string, now: number): void {
    if (this.closed) return;
    this.lastSentAt = now;
    this.connection.write(`id:${this.id}\nevent:${name}\ndata:${data}\n\n`);
  }

  /** Ends the stream (idempotent). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.end();
  }
}

/**
 * Sends one event to one realtime client wherever it is connected (the `@oauth2`
 * redirect of docs/api.md §5.5 may reach another node than the client's stream). The
 * local node answers at once; otherwise a request goes over the Bus and the
 * node that holds the client replies.
 */
import { randomBytes } from 'node:crypto';
import type { Bus } from './bus.js';
import type { RealtimeClient } from './realtime-client.js';

/** The Bus channel of direct-send requests. */
const REQUEST_CHANNEL = 'plinth:realtime-direct';
/** How long a node waits for another node to say it delivered. */
const REPLY_TIMEOUT_MS = 1_000;

interface DirectRequest {
  id: string;
  replyTo: string;
  clientId: string;
  topic: string;
  data: string;
  ip: string;
}

/** DirectMessages delivers to a single client by id, across nodes. */
export class DirectMessages {
  private readonly nodeId = randomBytes(12).toString('base64url');
  private readonly pending = new Map<string, (ok: boolean) => void>();
  private offs: Array<() => Promise<void>> = [];

  constructor(
    private readonly bus: Bus,
    private readonly findLocal: (clientId: string) => RealtimeClient | undefined,
    /** Writes one message to a local client's stream (through `onRealtimeMessageSend` when bound). */
    private readonly write: (client: RealtimeClient, name: string, data: string) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  private get replyChannel(): string {
    return `${REQUEST_CHANNEL}:reply:${this.nodeId}`;
  }

  /** Listens for requests from other nodes and for replies to this node. */
  async start(): Promise<void> {
    this.offs.push(await this.bus.subscribe(REQUEST_CHANNEL, (m) => this.onRequest(m)));
    this.offs.push(await this.bus.subscribe(this.replyChannel, (m) => this.onReply(m)));
  }

  /** Stops listening; pending sends resolve false. */
  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) await off();
    for (const resolve of this.pending.values()) resolve(false);
    this.pending.clear();
  }

  /** Sends `data` (JSON text) as event `topic` to the client; resolves to whether it was delivered. */
  async send(clientId: string, topic: string, data: string, ip: string): Promise<boolean> {
    if (this.deliverLocal(clientId, topic, data, ip)) return true;
    if (this.findLocal(clientId)) return false;
    const request: DirectRequest = { id: randomBytes(12).toString('base64url'), replyTo: this.replyChannel, clientId, topic, data, ip };
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), REPLY_TIMEOUT_MS);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.pending.delete(request.id);
        resolve(ok);
      };
      this.pending.set(request.id, finish);
      this.bus.publish(REQUEST_CHANNEL, JSON.stringify(request)).catch((err) => {
        this.onError(err);
        finish(false);
      });
    });
  }

  /** Delivers to a client of this node that subscribed to `topic` from `ip`, then drops the topic. */
  private deliverLocal(clientId: string, topic: string, data: string, ip: string): boolean {
    const client = this.findLocal(clientId);
    // SECURITY: only the browser that opened the stream (same IP) and asked for this topic gets it.
    if (!client || client.closed || client.ip !== ip || !client.topics.some((t) => t.raw === topic)) return false;
    this.write(client, topic, data);
    client.topics = client.topics.filter((t) => t.raw !== topic);
    return true;
  }

  private onRequest(message: string): void {
    let request: DirectRequest;
    try {
      request = JSON.parse(message) as DirectRequest;
    } catch {
      return;
    }
    if (typeof request?.clientId !== 'string' || typeof request.replyTo !== 'string') return;
    if (!this.deliverLocal(request.clientId, String(request.topic), String(request.data), String(request.ip))) return;
    this.bus.publish(request.replyTo, JSON.stringify({ id: request.id })).catch(this.onError);
  }

  private onReply(message: string): void {
    try {
      const { id } = JSON.parse(message) as { id: string };
      this.pending.get(id)?.(true);
    } catch {
      // A malformed reply is ignored; the sender times out.
    }
  }
}

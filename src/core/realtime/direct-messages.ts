/**
 * Sends one event to one realtime client wherever it is connected (the `@oauth2`
 * redirect of docs/api.md §5.5 may reach another node than the client's stream). The
 * local node answers at once; otherwise a request goes over the Bus and the
 * node that holds the client replies.
 */
import type { Bus } from './bus.js';
import { BusRequests } from './bus-requests.js';
import type { RealtimeClient } from './realtime-client.js';

/** The Bus channel of direct-send requests. */
const REQUEST_CHANNEL = 'plinth:realtime-direct';
/** How long a node waits for another node to say it delivered. */
const REPLY_TIMEOUT_MS = 1_000;

interface DirectRequest {
  clientId: string;
  topic: string;
  data: string;
  ip: string;
}

/** DirectMessages delivers to a single client by id, across nodes. */
export class DirectMessages {
  private readonly requests: BusRequests<DirectRequest, true>;

  constructor(
    bus: Bus,
    private readonly findLocal: (clientId: string) => RealtimeClient | undefined,
    /** Writes one message to a local client's stream (through `onRealtimeMessageSend` when bound). */
    private readonly write: (client: RealtimeClient, name: string, data: string) => void,
    onError: (err: unknown) => void,
  ) {
    this.requests = new BusRequests(bus, REQUEST_CHANNEL, async (r) => this.onRequest(r), onError);
  }

  /** Listens for requests from other nodes and for replies to this node. */
  start(): Promise<void> {
    return this.requests.start();
  }

  /** Stops listening; pending sends resolve false. */
  stop(): Promise<void> {
    return this.requests.stop();
  }

  /** Sends `data` (JSON text) as event `topic` to the client; resolves to whether it was delivered. */
  async send(clientId: string, topic: string, data: string, ip: string): Promise<boolean> {
    if (this.deliverLocal(clientId, topic, data, ip)) return true;
    if (this.findLocal(clientId)) return false;
    return (await this.requests.ask({ clientId, topic, data, ip }, REPLY_TIMEOUT_MS)) === true;
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

  /** Another node's request: delivered here (true, a reply) or not this node's client (silence). */
  private onRequest(request: DirectRequest): true | undefined {
    if (typeof request?.clientId !== 'string') return undefined;
    return this.deliverLocal(request.clientId, String(request.topic), String(request.data), String(request.ip)) ? true : undefined;
  }
}

/**
 * Request and reply over the Bus (docs/architecture.md §1): a node asks every node at
 * once, the one node that can answer replies on the asker's own channel, and the asker
 * waits a bounded time for that reply. Silence means no node could answer.
 */
import { randomBytes } from 'node:crypto';
import type { Bus } from './bus.js';

/** What travels on the request channel. */
interface Envelope<Q> {
  id: string;
  replyTo: string;
  request: Q;
}

/**
 * BusRequests asks a question of whichever node can answer it. The handler returns the
 * answer, or undefined when this node cannot answer (it stays silent); the first reply wins.
 * Messages are JSON; a malformed one is ignored.
 */
export class BusRequests<Q, A> {
  private readonly nodeId = randomBytes(12).toString('base64url');
  private readonly pending = new Map<string, (answer: A | undefined) => void>();
  private offs: Array<() => Promise<void>> = [];

  constructor(
    private readonly bus: Bus,
    private readonly channel: string,
    private readonly handle: (request: Q) => Promise<A | undefined>,
    private readonly onError: (err: unknown) => void,
  ) {}

  private get replyChannel(): string {
    return `${this.channel}:reply:${this.nodeId}`;
  }

  /** Listens for requests and for replies to this node. */
  async start(): Promise<void> {
    this.offs.push(await this.bus.subscribe(this.channel, (m) => this.onRequest(m)));
    this.offs.push(await this.bus.subscribe(this.replyChannel, (m) => this.onReply(m)));
  }

  /** Stops listening; questions still waiting resolve undefined. */
  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) await off();
    for (const resolve of this.pending.values()) resolve(undefined);
    this.pending.clear();
  }

  /** Asks every node; resolves to the first answer, or undefined when none came within `timeoutMs`. */
  ask(request: Q, timeoutMs: number): Promise<A | undefined> {
    const envelope: Envelope<Q> = { id: randomBytes(12).toString('base64url'), replyTo: this.replyChannel, request };
    return new Promise<A | undefined>((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (answer: A | undefined) => {
        clearTimeout(timer);
        this.pending.delete(envelope.id);
        resolve(answer);
      };
      this.pending.set(envelope.id, finish);
      this.bus.publish(this.channel, JSON.stringify(envelope)).catch((err: unknown) => {
        this.onError(err);
        finish(undefined);
      });
    });
  }

  private onRequest(message: string): void {
    const envelope = parse<Envelope<Q>>(message);
    if (typeof envelope?.id !== 'string' || typeof envelope.replyTo !== 'string' || !envelope.replyTo.startsWith(`${this.channel}:reply:`)) return;
    // A node's own question is answered by the asker before it asks (it checks locally first).
    if (envelope.replyTo === this.replyChannel) return;
    this.handle(envelope.request)
      .then((answer) => {
        if (answer !== undefined) return this.bus.publish(envelope.replyTo, JSON.stringify({ id: envelope.id, answer }));
      })
      .catch(this.onError);
  }

  private onReply(message: string): void {
    const reply = parse<{ id: string; answer: A }>(message);
    if (typeof reply?.id === 'string') this.pending.get(reply.id)?.(reply.answer);
  }
}

function parse<T>(message: string): T | undefined {
  try {
    return JSON.parse(message) as T;
  } catch {
    return undefined;
  }
}

/**
 * ClusterSync keeps every node's in-memory copies of shared state (the schema, the
 * settings) current: a node that changes one announces it on the Bus, and every other
 * node reloads it from the database (docs/architecture.md §1: a node keeps no state that another node
 * needs). The announcer waits until the other nodes say they reloaded, so the change's
 * answer comes after it holds everywhere. With the memory bus of a single node it only
 * ever hears itself, and ignores it.
 */
import { randomBytes } from 'node:crypto';
import type { Bus } from '../realtime/bus.js';

/** The Bus channel of "reload this" announcements. */
export const CLUSTER_SYNC_CHANNEL = 'plinth:cluster-sync';

/** How long a failed reload waits before it runs again. */
const RETRY_MS = 1_000;

/**
 * How long an announcer waits at most for the other nodes to say they reloaded. A node
 * that is stalled or cannot reach the database must not hold every schema change for
 * long; it catches up on its own (a failed reload is retried).
 */
export const ACK_WAIT_MS = 3_000;

/** What a node keeps in memory and can reload. */
export type SyncKind = 'schema' | 'settings' | 'webhooks';

const KINDS: readonly SyncKind[] = ['schema', 'settings', 'webhooks'];
/** The announcement that every kind changed. */
const ALL = '*';

/** What ClusterSync needs. */
export interface ClusterSyncDeps {
  bus: Bus;
  /** Re-reads each kind from the database; a kind without a reloader is ignored. */
  reload: Partial<Record<SyncKind, () => Promise<void>>>;
  /** Reports a failed reload or announcement (the change itself has committed). */
  onError: (err: unknown) => void;
  /** How long an announcer waits for the other nodes' acknowledgements; ACK_WAIT_MS unless set. */
  ackWaitMs?: number;
}

/** ClusterSync announces local changes and applies the announcements of other nodes. */
export class ClusterSync {
  /** Tells this node's own announcements apart from those of other nodes. */
  readonly nodeId = randomBytes(9).toString('base64url');
  /** The reloads under way, each resolving to whether it succeeded. */
  private readonly reloading = new Map<SyncKind, Promise<boolean>>();
  private readonly again = new Set<SyncKind>();
  /** This node's announcements still waiting for acknowledgements: id → count them. */
  private readonly awaiting = new Map<string, () => void>();
  private off: (() => Promise<void>) | undefined;

  constructor(private readonly deps: ClusterSyncDeps) {}

  /** Starts listening for other nodes' announcements. */
  async start(): Promise<void> {
    this.off = await this.deps.bus.subscribe(CLUSTER_SYNC_CHANNEL, (message) => this.receive(message));
  }

  /** Stops listening and waits for reloads under way. */
  async stop(): Promise<void> {
    await this.off?.();
    this.off = undefined;
    await this.settled();
  }

  /**
   * Tells every other node that `kind` changed here; resolves once each has reloaded it,
   * or after ACK_WAIT_MS. A failure is reported, not thrown: the change has committed,
   * and the nodes reload everything when their Bus connection comes back (reloadAll).
   */
  announce(kind: SyncKind): Promise<void> {
    return this.tell(kind);
  }

  /**
   * Tells every other node that every kind changed here (after a restore), in one
   * message: each node then reloads all kinds at once, never a new schema with the old
   * settings for the time between two announcements. Waits and fails as announce does.
   */
  announceAll(): Promise<void> {
    return this.tell(ALL);
  }

  /**
   * Publishes an announcement and waits for an acknowledgement from each other node it
   * reached. Without the wait, a client that changed the schema through one node and at
   * once calls another could reach it before the announcement does.
   */
  private async tell(kind: SyncKind | typeof ALL): Promise<void> {
    const id = randomBytes(9).toString('base64url');
    let acked = 0;
    let expected = Infinity;
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    this.awaiting.set(id, () => {
      if (++acked >= expected) done();
    });
    const waitMs = this.deps.ackWaitMs ?? ACK_WAIT_MS;
    const timer = setTimeout(done, waitMs);
    try {
      // The receivers include this node when it listens (after start).
      const reached = await this.deps.bus.publish(CLUSTER_SYNC_CHANNEL, JSON.stringify({ node: this.nodeId, kind, id }));
      expected = reached - (this.off ? 1 : 0);
      if (acked < expected) await all;
      if (acked < expected) {
        this.deps.onError(new Error(`${expected - acked} node(s) did not confirm reloading ${kind === ALL ? 'everything' : kind} within ${waitMs} ms`));
      }
    } catch (err) {
      this.deps.onError(err);
    } finally {
      clearTimeout(timer);
      this.awaiting.delete(id);
    }
  }

  /** Reloads every kind (after the Bus was interrupted and announcements may have been missed). */
  reloadAll(): Promise<void> {
    return this.reloadEvery().then(() => undefined);
  }

  /** Reloads every kind; resolves to whether all reloads succeeded. */
  private reloadEvery(): Promise<boolean> {
    return Promise.all(KINDS.filter((k) => this.deps.reload[k]).map((k) => this.schedule(k))).then((ok) => ok.every(Boolean));
  }

  /**
   * The reloads under way, or null when none is. A request that arrives while one runs
   * waits for it: a change announced by another node holds here from the time its
   * announcement arrived, before its announcer has even answered.
   */
  pending(): Promise<void> | null {
    if (this.reloading.size === 0) return null;
    return this.settled();
  }

  private settled(): Promise<void> {
    return Promise.all([...this.reloading.values()]).then(() => undefined);
  }

  private receive(message: string): void {
    let parsed: { node?: unknown; kind?: unknown; id?: unknown; ack?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (parsed?.node === this.nodeId) return;
    if (typeof parsed?.ack === 'string') return void this.awaiting.get(parsed.ack)?.();
    const kind = KINDS.find((k) => k === parsed?.kind);
    const reloaded = parsed?.kind === ALL ? this.reloadEvery() : kind && this.deps.reload[kind] ? this.schedule(kind) : null;
    const id = parsed?.id;
    if (!reloaded || typeof id !== 'string') return;
    // Acknowledged once reloaded. A failed reload is not: it is retried later, and the
    // announcer stops waiting after ACK_WAIT_MS.
    void reloaded.then(async (ok) => {
      if (ok) await this.acknowledge(id);
    });
  }

  private async acknowledge(id: string): Promise<void> {
    if (!this.off) return;
    try {
      await this.deps.bus.publish(CLUSTER_SYNC_CHANNEL, JSON.stringify({ node: this.nodeId, ack: id }));
    } catch (err) {
      this.deps.onError(err);
    }
  }

  /**
   * Reloads `kind`, resolving to whether it succeeded; an announcement that arrives
   * during a reload runs one more reload after it, because the running one may have read
   * the database before that change.
   */
  private schedule(kind: SyncKind): Promise<boolean> {
    const running = this.reloading.get(kind);
    if (running) {
      this.again.add(kind);
      return running;
    }
    const run = (async () => {
      do {
        this.again.delete(kind);
        try {
          await this.deps.reload[kind]?.();
        } catch (err) {
          // The database may be down too: try again later rather than stay stale.
          this.deps.onError(err);
          if (this.off) setTimeout(() => void this.schedule(kind), RETRY_MS).unref();
          return false;
        }
      } while (this.again.has(kind));
      return true;
    })().finally(() => this.reloading.delete(kind));
    this.reloading.set(kind, run);
    return run;
  }
}

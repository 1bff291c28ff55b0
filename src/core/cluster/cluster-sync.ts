/**
 * ClusterSync keeps every node's in-memory copies of shared state (the schema, the
 * settings) current: a node that changes one announces it on the Bus, and every other
 * node reloads it from the database (docs/architecture.md §1: a node keeps no state that another node
 * needs). With the memory bus of a single node it only ever hears itself, and ignores it.
 */
import { randomBytes } from 'node:crypto';
import type { Bus } from '../realtime/bus.js';

/** The Bus channel of "reload this" announcements. */
export const CLUSTER_SYNC_CHANNEL = 'plinth:cluster-sync';

/** How long a failed reload waits before it runs again. */
const RETRY_MS = 1_000;

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
}

/** ClusterSync announces local changes and applies the announcements of other nodes. */
export class ClusterSync {
  /** Tells this node's own announcements apart from those of other nodes. */
  readonly nodeId = randomBytes(9).toString('base64url');
  private readonly reloading = new Map<SyncKind, Promise<void>>();
  private readonly again = new Set<SyncKind>();
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
   * Tells every other node that `kind` changed here; resolves once the Bus accepted it.
   * A failure is reported, not thrown: the change has committed, and the nodes reload
   * everything when their Bus connection comes back (reloadAll).
   */
  async announce(kind: SyncKind): Promise<void> {
    try {
      await this.deps.bus.publish(CLUSTER_SYNC_CHANNEL, JSON.stringify({ node: this.nodeId, kind }));
    } catch (err) {
      this.deps.onError(err);
    }
  }

  /**
   * Tells every other node that every kind changed here (after a restore), in one
   * message: each node then reloads all kinds at once, never a new schema with the old
   * settings for the time between two announcements. Failures are reported as announce's.
   */
  async announceAll(): Promise<void> {
    try {
      await this.deps.bus.publish(CLUSTER_SYNC_CHANNEL, JSON.stringify({ node: this.nodeId, kind: ALL }));
    } catch (err) {
      this.deps.onError(err);
    }
  }

  /** Reloads every kind (after the Bus was interrupted and announcements may have been missed). */
  reloadAll(): Promise<void> {
    return Promise.all(KINDS.filter((k) => this.deps.reload[k]).map((k) => this.schedule(k))).then(() => undefined);
  }

  /**
   * The reloads under way, or null when none is. A request that arrives while one runs
   * waits for it, so a client that changed the schema through one node and then calls
   * another sees its change (the announcement reaches the node before the request does).
   */
  pending(): Promise<void> | null {
    if (this.reloading.size === 0) return null;
    return this.settled();
  }

  private settled(): Promise<void> {
    return Promise.all([...this.reloading.values()]).then(() => undefined);
  }

  private receive(message: string): void {
    let parsed: { node?: unknown; kind?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (parsed?.node === this.nodeId) return;
    if (parsed?.kind === ALL) return void this.reloadAll();
    const kind = KINDS.find((k) => k === parsed?.kind);
    if (kind && this.deps.reload[kind]) void this.schedule(kind);
  }

  /**
   * Reloads `kind`; an announcement that arrives during a reload runs one more reload
   * after it, because the running one may have read the database before that change.
   */
  private schedule(kind: SyncKind): Promise<void> {
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
          break;
        }
      } while (this.again.has(kind));
    })().finally(() => this.reloading.delete(kind));
    this.reloading.set(kind, run);
    return run;
  }
}

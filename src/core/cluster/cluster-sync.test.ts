import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../adapters/bus/memory-bus.js';
import type { Bus } from '../realtime/bus.js';
import { ClusterSync, type SyncKind } from './cluster-sync.js';

/**
 * Nodes in one process: each node's handle on a shared MemoryBus counts once among the
 * receivers of a message, as each node's Redis connection does.
 */
class Network {
  readonly bus = new MemoryBus();
  private readonly listening = new Map<string, Set<Bus>>();

  handle(): Bus {
    const handle: Bus = {
      publish: async (channel, message) => {
        await this.bus.publish(channel, message);
        return this.listening.get(channel)?.size ?? 0;
      },
      subscribe: async (channel, handler) => {
        const nodes = this.listening.get(channel) ?? new Set();
        this.listening.set(channel, nodes.add(handle));
        const off = await this.bus.subscribe(channel, handler);
        return async () => {
          nodes.delete(handle);
          await off();
        };
      },
      close: async () => undefined,
    };
    return handle;
  }
}

/**
 * A node's sync over a shared bus, counting its reloads; `gate` holds a reload open while
 * set, and `failing` makes reloads throw.
 */
function node(network: Network, ackWaitMs = 2_000) {
  const bus = network.handle();
  const reloads: SyncKind[] = [];
  const errors: unknown[] = [];
  let gate: Promise<void> | undefined;
  let failing = false;
  const reload = (kind: SyncKind) => async () => {
    reloads.push(kind);
    await gate;
    if (failing) throw new Error('database down');
  };
  const sync = new ClusterSync({ bus, reload: { schema: reload('schema'), settings: reload('settings') }, onError: (e) => errors.push(e), ackWaitMs });
  return {
    sync, reloads, errors, bus,
    hold: (p: Promise<void> | undefined) => (gate = p),
    fail: (on: boolean) => (failing = on),
  };
}

/** Whether `p` has settled after the pending deliveries ran. */
async function settledYet(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await tick();
  return done;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('ClusterSync', () => {
  it('makes the other nodes reload what one node announces, and not the announcer', async () => {
    const network = new Network();
    const [a, b, c] = [node(network), node(network), node(network)];
    for (const n of [a, b, c]) await n.sync.start();
    await a.sync.announce('schema');
    await b.sync.announce('settings');
    await tick();
    expect(a.reloads).toEqual(['settings']);
    expect(b.reloads).toEqual(['schema']);
    expect(c.reloads).toEqual(['schema', 'settings']);
  });

  it('reloads every kind on one announcement of all (a restore), and not on the announcer', async () => {
    const network = new Network();
    const [a, b] = [node(network), node(network)];
    await a.sync.start();
    await b.sync.start();
    await a.sync.announceAll();
    await tick();
    expect(a.reloads).toEqual([]);
    expect([...b.reloads].sort()).toEqual(['schema', 'settings']);
  });

  it('reloads once more when an announcement arrives during a reload, and holds requests until done', async () => {
    const network = new Network();
    const [a, b] = [node(network), node(network)];
    await a.sync.start();
    await b.sync.start();
    let open!: () => void;
    b.hold(new Promise<void>((r) => (open = r)));
    expect(b.sync.pending()).toBeNull();
    const first = a.sync.announce('schema');
    await tick();
    const later = [a.sync.announce('schema'), a.sync.announce('schema')];
    await tick();
    const pending = b.sync.pending();
    expect(pending).not.toBeNull();
    b.hold(undefined);
    open();
    await pending;
    await Promise.all([first, ...later]);
    expect(b.reloads).toEqual(['schema', 'schema']);
    expect(b.sync.pending()).toBeNull();
    expect(a.errors).toEqual([]);
  });

  it('answers an announcement only once every other node has reloaded', async () => {
    const network = new Network();
    const [a, b, c] = [node(network), node(network), node(network)];
    for (const n of [a, b, c]) await n.sync.start();
    let open!: () => void;
    c.hold(new Promise<void>((r) => (open = r)));
    const announced = a.sync.announce('settings');
    expect(await settledYet(announced)).toBe(false);
    expect(b.reloads).toEqual(['settings']);
    c.hold(undefined);
    open();
    await announced;
    expect(c.reloads).toEqual(['settings']);
    expect(a.errors).toEqual([]);
    // So does an announcement of everything, which reloads every kind.
    await a.sync.announceAll();
    expect([...b.reloads].sort()).toEqual(['settings', 'settings', 'schema'].sort());
  });

  it('stops waiting for a node whose reload failed, and reports it', async () => {
    const network = new Network();
    const [a, b] = [node(network, 50), node(network)];
    await a.sync.start();
    await b.sync.start();
    b.fail(true);
    const started = Date.now();
    await a.sync.announce('schema');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(String(a.errors[0])).toContain('1 node(s) did not confirm reloading schema within 50 ms');
    expect(b.errors).toHaveLength(1);
    await b.sync.stop();
  });

  it('does not wait when no other node listens', async () => {
    const network = new Network();
    const a = node(network, 5_000);
    await a.sync.start();
    const started = Date.now();
    await a.sync.announce('schema');
    await a.sync.announceAll();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(a.errors).toEqual([]);
  });

  it('ignores malformed messages and stops listening on stop', async () => {
    const network = new Network();
    const [a, b] = [node(network), node(network)];
    await b.sync.start();
    await a.bus.publish('plinth:cluster-sync', 'not json');
    await a.bus.publish('plinth:cluster-sync', JSON.stringify({ node: 'x', kind: 'everything' }));
    await tick();
    await b.sync.stop();
    await a.sync.announce('schema');
    await tick();
    expect(b.reloads).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('reports a failed announcement instead of failing the change that was made', async () => {
    const network = new Network();
    const a = node(network);
    a.bus.publish = async () => { throw new Error('bus down'); };
    await a.sync.announce('settings');
    expect(a.errors).toHaveLength(1);
  });
});

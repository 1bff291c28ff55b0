import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../adapters/bus/memory-bus.js';
import { ClusterSync, type SyncKind } from './cluster-sync.js';

/** A node's sync over a shared bus, counting its reloads; `gate` holds a reload open while set. */
function node(bus: MemoryBus) {
  const reloads: SyncKind[] = [];
  const errors: unknown[] = [];
  let gate: Promise<void> | undefined;
  const reload = (kind: SyncKind) => async () => {
    reloads.push(kind);
    await gate;
  };
  const sync = new ClusterSync({ bus, reload: { schema: reload('schema'), settings: reload('settings') }, onError: (e) => errors.push(e) });
  return { sync, reloads, errors, hold: (p: Promise<void> | undefined) => (gate = p) };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('ClusterSync', () => {
  it('makes the other nodes reload what one node announces, and not the announcer', async () => {
    const bus = new MemoryBus();
    const [a, b, c] = [node(bus), node(bus), node(bus)];
    for (const n of [a, b, c]) await n.sync.start();
    await a.sync.announce('schema');
    await b.sync.announce('settings');
    await tick();
    expect(a.reloads).toEqual(['settings']);
    expect(b.reloads).toEqual(['schema']);
    expect(c.reloads).toEqual(['schema', 'settings']);
  });

  it('reloads every kind on one announcement of all (a restore), and not on the announcer', async () => {
    const bus = new MemoryBus();
    const [a, b] = [node(bus), node(bus)];
    await a.sync.start();
    await b.sync.start();
    await a.sync.announceAll();
    await tick();
    expect(a.reloads).toEqual([]);
    expect([...b.reloads].sort()).toEqual(['schema', 'settings']);
  });

  it('reloads once more when an announcement arrives during a reload, and holds requests until done', async () => {
    const bus = new MemoryBus();
    const [a, b] = [node(bus), node(bus)];
    await a.sync.start();
    await b.sync.start();
    let open!: () => void;
    b.hold(new Promise<void>((r) => (open = r)));
    expect(b.sync.pending()).toBeNull();
    await a.sync.announce('schema');
    await tick();
    await a.sync.announce('schema');
    await a.sync.announce('schema');
    await tick();
    const pending = b.sync.pending();
    expect(pending).not.toBeNull();
    b.hold(undefined);
    open();
    await pending;
    expect(b.reloads).toEqual(['schema', 'schema']);
    expect(b.sync.pending()).toBeNull();
  });

  it('ignores malformed messages and stops listening on stop', async () => {
    const bus = new MemoryBus();
    const [a, b] = [node(bus), node(bus)];
    await b.sync.start();
    await bus.publish('plinth:cluster-sync', 'not json');
    await bus.publish('plinth:cluster-sync', JSON.stringify({ node: 'x', kind: 'everything' }));
    await tick();
    await b.sync.stop();
    await a.sync.announce('schema');
    await tick();
    expect(b.reloads).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('reports a failed announcement instead of failing the change that was made', async () => {
    const bus = new MemoryBus();
    const a = node(bus);
    bus.publish = async () => { throw new Error('bus down'); };
    await a.sync.announce('settings');
    expect(a.errors).toHaveLength(1);
  });
});

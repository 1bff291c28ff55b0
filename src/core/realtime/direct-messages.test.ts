import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../adapters/bus/memory-bus.js';
import { DirectMessages } from './direct-messages.js';
import { RealtimeClient } from './realtime-client.js';
import { parseTopic } from './realtime-topic.js';

/** Two "nodes" on one bus; node B holds one client subscribed to `@oauth2` from 10.0.0.1. */
async function twoNodes() {
  const bus = new MemoryBus();
  const frames: string[] = [];
  const client = new RealtimeClient('c1', '10.0.0.1', Date.now(), { write: (f) => frames.push(f), end: () => undefined });
  client.topics = [parseTopic('@oauth2')];
  const write = (c: RealtimeClient, name: string, data: string): void => c.send(name, data, Date.now());
  const a = new DirectMessages(bus, () => undefined, write, () => undefined);
  const b = new DirectMessages(bus, (id) => (id === 'c1' ? client : undefined), write, () => undefined);
  await a.start();
  await b.start();
  return { bus, a, b, client, frames, stop: async () => { await a.stop(); await b.stop(); await bus.close(); } };
}

describe('DirectMessages (the @oauth2 send of docs/api.md §5.5 across nodes)', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => { await stop?.(); });

  it('reaches a client held by another node, once, and drops its subscription', async () => {
    const n = await twoNodes();
    stop = n.stop;
    expect(await n.a.send('c1', '@oauth2', '{"state":"c1","code":"x"}', '10.0.0.1')).toBe(true);
    expect(n.frames).toEqual(['id:c1\nevent:@oauth2\ndata:{"state":"c1","code":"x"}\n\n']);
    expect(n.client.topics).toEqual([]);
    expect(await n.a.send('c1', '@oauth2', '{}', '10.0.0.1')).toBe(false);
    expect(n.frames).toHaveLength(1);
  });

  it.each([
    ['another IP', 'c1', '@oauth2', '10.9.9.9'],
    ['an unknown client', 'c2', '@oauth2', '10.0.0.1'],
    ['a topic the client did not subscribe to', 'c1', 'posts', '10.0.0.1'],
  ])('refuses %s', async (_name, clientId, topic, ip) => {
    const n = await twoNodes();
    stop = n.stop;
    expect(await n.a.send(clientId, topic, '{}', ip)).toBe(false);
    expect(await n.b.send(clientId, topic, '{}', ip)).toBe(false);
    expect(n.frames).toEqual([]);
  });
});

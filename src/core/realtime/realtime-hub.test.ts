import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../adapters/bus/memory-bus.js';
import type { Collection } from '../collections/collection.js';
import { MemorySchema } from '../collections/schema.js';
import { RealtimeHub } from './realtime-hub.js';
import { encodeRecordEvents, RECORD_EVENTS_CHANNEL } from './record-event-message.js';

/** A collection whose rules admit superusers only, so rendering an event needs no database. */
function collection(id: string, name: string): Collection {
  return {
    id, name, type: 'base', system: false, listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null,
    fields: [], indexes: [], created: '', updated: '',
  };
}

const posts = collection('pbc_posts', 'posts');
const other = collection('pbc_other', 'other');

/** A connection that records its frames and whether it was ended. */
function connection() {
  const c = { frames: [] as string[], ended: false, write: (f: string) => void c.frames.push(f), end: () => void (c.ended = true) };
  return c;
}

describe('RealtimeHub fan-out overflow', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => { await stop?.(); });

  it('cuts, with a last frame, exactly the subscribers of the events it had to drop', async () => {
    const bus = new MemoryBus();
    const schema = new MemorySchema();
    schema.replaceAll([posts, other]);
    const errors: unknown[] = [];
    const hub = new RealtimeHub({
      bus, schema, records: {} as never, compiler: {} as never, dialect: {} as never, output: {} as never,
      limits: { maxQueuedEvents: 2 }, onError: (err) => errors.push(err),
    });
    await hub.start();
    stop = async () => { await hub.stop(); await bus.close(); };
    const ip = '10.0.0.1';
    const subscribe = (topics: string[]) => {
      const conn = connection();
      const client = hub.connect(conn, ip);
      hub.setSubscriptions(client.id, topics, null, ip);
      return conn;
    };
    const onPosts = subscribe(['posts/*']);
    const onPostRecord = subscribe(['other/*', 'pbc_posts/r1']);
    const onOther = subscribe(['other/*']);

    const record = (id: string) => ({ action: 'create' as const, collection: posts, record: { id } });
    await bus.publish(RECORD_EVENTS_CHANNEL, encodeRecordEvents([record('r1'), record('r2'), record('r3')]));
    await new Promise((r) => setTimeout(r, 20));

    for (const conn of [onPosts, onPostRecord]) {
      expect(conn.ended).toBe(true);
      expect(conn.frames.at(-1)).toMatch(/^id:.{40}\nevent:PB_DISCONNECT\ndata:\{"reason":".+"\}\n\n$/);
    }
    expect(onOther.ended).toBe(false);
    expect(onOther.frames).toHaveLength(1);
    expect(String(errors[0])).toContain('fell 3 events behind');
  });
});

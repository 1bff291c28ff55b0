/**
 * The contract every Bus implementation must meet (docs/architecture.md §1), as a suite that
 * takes a factory: the memory bus runs it now, the Redis bus runs it later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus } from '../../src/core/realtime/bus.js';

/** Two handles on one bus, as two nodes would hold (they may be the same object in-process). */
export interface BusPair {
  a: Bus;
  b: Bus;
  /** Closes both handles and anything the factory opened. */
  close(): Promise<void>;
}

const SETTLE = '__settle__';

/** Collects messages and lets a test wait for a count of them. */
function collector() {
  const got: string[] = [];
  const waiters: Array<() => void> = [];
  return {
    got,
    handler: (m: string) => {
      if (m === SETTLE) return;
      got.push(m);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(n: number): Promise<string[]> {
      while (got.length < n) await new Promise<void>((r) => waiters.push(r));
      return got;
    },
  };
}

/** Lets pending deliveries of the bus run; messages published before it have arrived after it. */
async function settle(bus: Bus, channel: string): Promise<void> {
  let arrived!: () => void;
  const done = new Promise<void>((r) => (arrived = r));
  const off = await bus.subscribe(channel, (m) => { if (m === SETTLE) arrived(); });
  await bus.publish(channel, SETTLE);
  await done;
  await off();
}

/** Registers the Bus contract tests for an implementation. */
export function describeBusContract(name: string, factory: () => Promise<BusPair>): void {
  describe(`Bus contract: ${name}`, () => {
    let pair: BusPair | undefined;
    const open = async () => (pair = await factory());
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('delivers a message published on one handle to subscribers on both handles', async () => {
      const { a, b } = await open();
      const onA = collector();
      const onB = collector();
      await a.subscribe('events', onA.handler);
      await b.subscribe('events', onB.handler);
      await a.publish('events', '{"n":1}');
      expect(await onA.waitFor(1)).toEqual(['{"n":1}']);
      expect(await onB.waitFor(1)).toEqual(['{"n":1}']);
    });

    it('counts the nodes a message reached: each handle listening on the channel once', async () => {
      const { a, b } = await open();
      expect(await a.publish('counted', 'nobody')).toBe(0);
      const offA = await a.subscribe('counted', () => undefined);
      await a.subscribe('counted', () => undefined);
      await b.subscribe('counted', () => undefined);
      expect(await b.publish('counted', 'both')).toBe(a === b ? 1 : 2);
      await offA();
      expect(await a.publish('counted', 'one')).toBe(a === b ? 1 : 2);
    });

    it('keeps channels apart', async () => {
      const { a, b } = await open();
      const other = collector();
      await b.subscribe('other', other.handler);
      await a.publish('events', 'x');
      await settle(b, 'other');
      expect(other.got).toEqual([]);
    });

    it('keeps the order of one publisher', async () => {
      const { a, b } = await open();
      const got = collector();
      await b.subscribe('order', got.handler);
      const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
      for (const m of sent) await a.publish('order', m);
      expect(await got.waitFor(50)).toEqual(sent);
    });

    it('stops delivering to a removed subscription and keeps the others', async () => {
      const { a, b } = await open();
      const removed = collector();
      const kept = collector();
      const off = await b.subscribe('events', removed.handler);
      await b.subscribe('events', kept.handler);
      await off();
      await a.publish('events', 'after');
      expect(await kept.waitFor(1)).toEqual(['after']);
      await settle(b, 'events');
      expect(removed.got).toEqual([]);
    });

    it('does not run handlers inside publish', async () => {
      const { a } = await open();
      const got = collector();
      await a.subscribe('async', got.handler);
      const published = a.publish('async', 'x');
      const seenDuringPublish = got.got.length;
      await published;
      await got.waitFor(1);
      expect(seenDuringPublish).toBe(0);
    });

    it('keeps delivering after a handler throws', async () => {
      const { a, b } = await open();
      const got = collector();
      await b.subscribe('events', () => { throw new Error('handler failure'); });
      await b.subscribe('events', got.handler);
      await a.publish('events', '1');
      await a.publish('events', '2');
      expect(await got.waitFor(2)).toEqual(['1', '2']);
    });

    it('carries any string unchanged', async () => {
      const { a, b } = await open();
      const got = collector();
      await b.subscribe('text', got.handler);
      const text = JSON.stringify({ s: 'ünïcödé ✓ "quotes" \n newline', big: 'x'.repeat(100_000) });
      await a.publish('text', text);
      expect((await got.waitFor(1))[0]).toBe(text);
    });

    it('delivers nothing after close', async () => {
      const { a } = await open();
      const got = collector();
      await a.subscribe('events', got.handler);
      await a.close();
      await a.publish('events', 'late');
      await new Promise((r) => setTimeout(r, 20));
      expect(got.got).toEqual([]);
    });
  });
}

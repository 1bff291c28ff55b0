/**
 * The shared contract of every RateLimitStore (style.md "Adapters and dialects"): the
 * memory store runs it now, the Redis store runs the same suite later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../src/core/ratelimit/rate-limit-store.js';

const MINUTE = 60_000;
/** Short enough to wait out, long enough to be open while one hit is counted. */
const SHORT = 40;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the RateLimitStore contract against stores made by `create`. */
export function rateLimitStoreContract(name: string, create: () => Promise<RateLimitStore>): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    const opened: RateLimitStore[] = [];
    const store = async () => {
      const s = await create();
      opened.push(s);
      return s;
    };
    // Keys are unique per test so a shared backend (Redis) needs no flush between tests.
    let n = 0;
    const key = (label: string) => `contract:${label}:${process.pid}:${Date.now()}:${n++}`;

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('counts hits in one window that the first hit opens', async () => {
      const s = await store();
      const k = key('count');
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push((await s.hit(k, MINUTE)).count);
      expect(counts).toEqual([1, 2, 3, 4]);
      const { resetMs } = await s.hit(k, MINUTE);
      expect(resetMs).toBeGreaterThan(0);
      expect(resetMs).toBeLessThanOrEqual(MINUTE);
    });

    it('keeps keys apart', async () => {
      const s = await store();
      const a = key('a');
      const b = key('b');
      await s.hit(a, MINUTE);
      await s.hit(a, MINUTE);
      expect((await s.hit(b, MINUTE)).count).toBe(1);
      expect((await s.peek(a)).count).toBe(2);
    });

    it('peeks without counting, and reports no window for an unknown key', async () => {
      const s = await store();
      const k = key('peek');
      expect(await s.peek(k)).toEqual({ count: 0, resetMs: 0 });
      await s.hit(k, MINUTE);
      expect((await s.peek(k)).count).toBe(1);
      expect((await s.peek(k)).count).toBe(1);
      expect((await s.peek(k)).resetMs).toBeGreaterThan(0);
    });

    it('does not extend a window on later hits', async () => {
      const s = await store();
      const k = key('fixed');
      await s.hit(k, MINUTE);
      // A later hit with a longer window still closes when the first window does.
      const { resetMs } = await s.hit(k, 10 * MINUTE);
      expect(resetMs).toBeLessThanOrEqual(MINUTE);
    });

    it('starts over after reset', async () => {
      const s = await store();
      const k = key('reset');
      await s.hit(k, MINUTE);
      await s.hit(k, MINUTE);
      await s.reset(k);
      expect((await s.peek(k)).count).toBe(0);
      expect((await s.hit(k, MINUTE)).count).toBe(1);
      await s.reset(key('never-hit'));
    });

    it('starts over once the window has closed', async () => {
      const s = await store();
      const k = key('expire');
      await s.hit(k, SHORT);
      await s.hit(k, SHORT);
      await sleep(SHORT * 3);
      expect((await s.peek(k)).count).toBe(0);
      expect((await s.hit(k, MINUTE)).count).toBe(1);
    });

    it('counts concurrent hits exactly', async () => {
      const s = await store();
      const k = key('concurrent');
      const results = await Promise.all(Array.from({ length: 25 }, () => s.hit(k, MINUTE)));
      expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    });
  });
}

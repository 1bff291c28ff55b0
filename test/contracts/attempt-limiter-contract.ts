/**
 * The contract every AttemptLimiter must meet, as a vitest suite that takes a
 * factory; each implementation's test file runs it.
 */
import { describe, expect, it } from 'vitest';
import type { AttemptLimiter } from '../../src/core/auth/attempt-limiter.js';

/** A limiter under test and a way to move its clock forward (a real wait for a remote store). */
export interface AttemptLimiterFixture {
  limiter: AttemptLimiter;
  advance(ms: number): Promise<void>;
}

/** Runs the AttemptLimiter contract against `create`. */
export function attemptLimiterContract(name: string, create: () => Promise<AttemptLimiterFixture>): void {
  describe(`AttemptLimiter contract: ${name}`, () => {
    it('admits `limit` attempts per window and refuses the next', async () => {
      const { limiter } = await create();
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await limiter.take('k1', 5, 60));
      expect(results).toEqual([true, true, true, true, true, false]);
    });

    it('counts keys independently', async () => {
      const { limiter } = await create();
      expect(await limiter.take('a', 1, 60)).toBe(true);
      expect(await limiter.take('a', 1, 60)).toBe(false);
      expect(await limiter.take('b', 1, 60)).toBe(true);
    });

    it('opens a new window when the old one has passed', async () => {
      const { limiter, advance } = await create();
      expect(await limiter.take('w', 1, 1)).toBe(true);
      expect(await limiter.take('w', 1, 1)).toBe(false);
      await advance(1100);
      expect(await limiter.take('w', 1, 1)).toBe(true);
      expect(await limiter.take('w', 1, 1)).toBe(false);
    });
  });
}

import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../adapters/ratelimit/memory-rate-limit-store.js';
import { StoreAttemptLimiter } from './store-attempt-limiter.js';

function setup() {
  let now = 1_000_000;
  const store = new MemoryRateLimitStore({ now: () => now });
  return { limiter: new StoreAttemptLimiter(store), advance: (ms: number) => { now += ms; } };
}

describe('StoreAttemptLimiter', () => {
  it('admits `limit` attempts per window and refuses the next', async () => {
    const { limiter } = setup();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await limiter.take('k', 5, 60));
    expect(results).toEqual([true, true, true, true, true, false]);
  });

  it('counts keys independently', async () => {
    const { limiter } = setup();
    expect(await limiter.take('a', 1, 60)).toBe(true);
    expect(await limiter.take('a', 1, 60)).toBe(false);
    expect(await limiter.take('b', 1, 60)).toBe(true);
  });

  it('opens a new window when the old one has passed', async () => {
    const { limiter, advance } = setup();
    expect(await limiter.take('w', 1, 1)).toBe(true);
    expect(await limiter.take('w', 1, 1)).toBe(false);
    advance(1000);
    expect(await limiter.take('w', 1, 1)).toBe(true);
  });
});

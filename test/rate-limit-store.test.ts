/**
 * The memory RateLimitStore: the shared contract, and the bound on its size.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../src/adapters/ratelimit/memory-rate-limit-store.js';
import { createRateLimitStore } from '../src/adapters/ratelimit/create-rate-limit-store.js';
import { rateLimitStoreContract } from './contracts/rate-limit-store-contract.js';

rateLimitStoreContract('memory', async () => new MemoryRateLimitStore());
rateLimitStoreContract('memory via createRateLimitStore', () => createRateLimitStore({ driver: 'memory' }));

describe('MemoryRateLimitStore', () => {
  it('forgets the least recently hit key when full', async () => {
    const s = new MemoryRateLimitStore({ maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) await s.hit(k, 60_000);
    await s.hit('a', 60_000);
    await s.hit('d', 60_000);
    expect(s.size).toBe(3);
    expect((await s.peek('b')).count).toBe(0);
    expect((await s.peek('a')).count).toBe(2);
  });

  it('closes a window exactly when its time is up', async () => {
    let now = 1_000;
    const s = new MemoryRateLimitStore({ now: () => now });
    await s.hit('k', 500);
    now += 499;
    expect(await s.hit('k', 500)).toEqual({ count: 2, resetMs: 1 });
    now += 1;
    expect(await s.peek('k')).toEqual({ count: 0, resetMs: 0 });
    expect(await s.hit('k', 500)).toEqual({ count: 1, resetMs: 500 });
  });
});

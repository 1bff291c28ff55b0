import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('lets at most max hold it, passing each release to the next waiter in order', async () => {
    const s = new Semaphore({ max: 2, maxWaiting: 10, maxWaitMs: 10_000 });
    const a = await s.acquire();
    const b = await s.acquire();
    expect(s.active).toBe(2);
    const order: string[] = [];
    const c = s.acquire().then((r) => { order.push('c'); return r; });
    const d = s.acquire().then((r) => { order.push('d'); return r; });
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    a!();
    a!(); // a second call does nothing
    const cr = await c;
    expect(order).toEqual(['c']);
    b!();
    const dr = await d;
    expect(order).toEqual(['c', 'd']);
    expect(s.active).toBe(2);
    cr!();
    dr!();
    expect(s.active).toBe(0);
  });

  it('refuses at once beyond maxWaiting, and after maxWaitMs', async () => {
    const s = new Semaphore({ max: 1, maxWaiting: 1, maxWaitMs: 50 });
    const held = await s.acquire();
    const waits = s.acquire();
    expect(await s.acquire()).toBeNull();
    expect(await waits).toBeNull();
    held!();
    expect(s.active).toBe(0);
    expect(await s.acquire()).not.toBeNull();
  });
});

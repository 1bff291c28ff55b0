import { describe, expect, it } from 'vitest';
import { FanOutQueue } from './fan-out-queue.js';

/** A queue whose runs wait until released, recording what ran, what was dropped and what failed. */
function gatedQueue(max: number) {
  const ran: number[] = [];
  const dropped: number[][] = [];
  const errors: unknown[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const queue = new FanOutQueue<number>(max, async (n) => {
    await gate;
    if (n < 0) throw new Error(`bad ${n}`);
    ran.push(n);
  }, (items) => dropped.push(items), (err) => errors.push(err));
  return {
    queue, ran, dropped, errors,
    open: () => {
      release();
      gate = Promise.resolve();
    },
  };
}

describe('FanOutQueue', () => {
  it('runs items one at a time in push order, and goes on after one fails', async () => {
    const q = gatedQueue(10);
    q.queue.push([1, 2]);
    q.queue.push([-3, 4]);
    q.queue.push([]);
    expect(q.queue.size).toBe(3);
    q.open();
    await q.queue.idle();
    expect(q.ran).toEqual([1, 2, 4]);
    expect(q.errors).toEqual([new Error('bad -3')]);
    expect(q.queue.size).toBe(0);
  });

  it('drops the whole waiting backlog with the items that overflow it; the running item finishes, later pushes run', async () => {
    const q = gatedQueue(3);
    q.queue.push([1, 2, 3]);
    expect(q.queue.size).toBe(2);
    q.queue.push([4]);
    expect(q.dropped).toEqual([]);
    q.queue.push([5]);
    expect(q.dropped).toEqual([[2, 3, 4, 5]]);
    expect(q.queue.size).toBe(0);
    q.queue.push([6]);
    q.open();
    await q.queue.idle();
    expect(q.ran).toEqual([1, 6]);
  });

  it('drops a single push larger than the bound without running any of it', async () => {
    const q = gatedQueue(2);
    q.queue.push([1, 2, 3]);
    expect(q.dropped).toEqual([[1, 2, 3]]);
    q.open();
    await q.queue.idle();
    expect(q.ran).toEqual([]);
  });

  it('keeps its order across a long busy spell (compaction)', async () => {
    const q = gatedQueue(5000);
    const items = Array.from({ length: 3000 }, (_, i) => i);
    q.queue.push(items);
    q.open();
    await q.queue.idle();
    expect(q.ran).toEqual(items);
  });
});

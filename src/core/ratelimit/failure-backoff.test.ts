import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../adapters/ratelimit/memory-rate-limit-store.js';
import { TooManyRequestsError } from '../../errors/app-error.js';
import { FailureBackoff } from './failure-backoff.js';

const policy = { freeAttempts: 2, baseDelaySeconds: 1, maxDelaySeconds: 8, memorySeconds: 3600 };

function setup() {
  let now = 1_000_000;
  const store = new MemoryRateLimitStore({ now: () => now });
  return { backoff: new FailureBackoff(store, policy), advance: (s: number) => { now += s * 1000; } };
}

async function outcome(p: Promise<void>): Promise<number | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof TooManyRequestsError) return err.retryAfter;
    throw err;
  }
}

describe('FailureBackoff', () => {
  it('doubles the wait after the free attempts, up to the cap', () => {
    const { backoff } = setup();
    expect([3, 4, 5, 6, 7, 50].map((n) => backoff.delaySeconds(n))).toEqual([1, 2, 4, 8, 8, 8]);
  });

  /** One attempt that runs and fails, as the HTTP hook reports it. */
  async function failOnce(backoff: FailureBackoff, key = 'id'): Promise<number | 'ok'> {
    const result = await outcome(backoff.attempt(key));
    if (result === 'ok') await backoff.failed(key);
    return result;
  }

  it('lets the free failures through, then one attempt per growing wait window', async () => {
    const { backoff, advance } = setup();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await failOnce(backoff));
    // Two free failures; the third attempt opens a 1 s wait and runs; the fourth must wait.
    expect(results).toEqual(['ok', 'ok', 'ok', 1]);
    advance(1);
    // Three failures recorded: the next attempt opens a 2 s wait and runs.
    expect(await failOnce(backoff)).toBe('ok');
    expect(await failOnce(backoff)).toBe(2);
    advance(2);
    // Four failures: a 4 s wait.
    expect(await failOnce(backoff)).toBe('ok');
    expect(await failOnce(backoff)).toBe(4);
  });

  it('starts over after a success', async () => {
    const { backoff } = setup();
    for (let i = 0; i < 3; i++) await failOnce(backoff);
    await backoff.succeeded('id');
    expect([await failOnce(backoff), await failOnce(backoff)]).toEqual(['ok', 'ok']);
  });

  it('never slows down attempts that succeed, however many run at once', async () => {
    const { backoff } = setup();
    const results = await Promise.all(Array.from({ length: 50 }, () => outcome(backoff.attempt('id'))));
    expect(results.every((r) => r === 'ok')).toBe(true);
  });

  it('lets exactly one of a parallel burst through once the free failures are spent', async () => {
    const { backoff } = setup();
    for (let i = 0; i < policy.freeAttempts; i++) await failOnce(backoff);
    const results = await Promise.all(Array.from({ length: 10 }, () => outcome(backoff.attempt('id'))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
  });

  it('keeps identities apart', async () => {
    const { backoff } = setup();
    for (let i = 0; i < 5; i++) await failOnce(backoff, 'a');
    expect(await outcome(backoff.attempt('b'))).toBe('ok');
  });
});

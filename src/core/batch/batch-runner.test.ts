import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Executor } from '../../db/database.js';
import { WriteScope } from '../records/write-scope.js';
import { batchDeadline, BatchAbortedError, BatchStepError, runBatch, type BatchStep, type TransactionRunner } from './batch-runner.js';

/** A transaction double that records how it ended. */
function fakeTransactions() {
  const log = { opened: 0, committed: 0, rolledBack: 0 };
  const run: TransactionRunner = async (fn) => {
    log.opened++;
    try {
      const result = await fn(new WriteScope({} as Executor));
      log.committed++;
      return result;
    } catch (err) {
      log.rolledBack++;
      throw err;
    }
  };
  return { log, run };
}

const never = new AbortController().signal;

describe('runBatch', () => {
  it('runs the steps in order in one transaction and returns their results in order', async () => {
    const { log, run } = fakeTransactions();
    const seen: number[] = [];
    const scopes = new Set<WriteScope>();
    const steps: BatchStep<number>[] = [1, 2, 3].map((n) => async (scope) => {
      seen.push(n);
      scopes.add(scope);
      return n * 10;
    });
    expect(await runBatch(run, steps, never)).toEqual([10, 20, 30]);
    expect(seen).toEqual([1, 2, 3]);
    expect(scopes.size).toBe(1);
    expect(log).toEqual({ opened: 1, committed: 1, rolledBack: 0 });
  });

  it('stops at the first failing step, names its index and rolls back', async () => {
    const { log, run } = fakeTransactions();
    const cause = new Error('boom');
    const ran: number[] = [];
    const steps: BatchStep<number>[] = [0, 1, 2, 3].map((i) => async () => {
      ran.push(i);
      if (i === 2) throw cause;
      return i;
    });
    const err = await runBatch(run, steps, never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchStepError);
    expect((err as BatchStepError).index).toBe(2);
    expect((err as BatchStepError).cause).toBe(cause);
    expect(ran).toEqual([0, 1, 2]);
    expect(log).toEqual({ opened: 1, committed: 0, rolledBack: 1 });
  });

  it('lets the running step finish, runs no further step and rolls back when the signal aborts', async () => {
    const { log, run } = fakeTransactions();
    const controller = new AbortController();
    const finished: number[] = [];
    const steps: BatchStep<number>[] = [0, 1, 2].map((i) => async () => {
      if (i === 1) {
        controller.abort(new Error('deadline'));
        await Promise.resolve();
      }
      finished.push(i);
      return i;
    });
    const err = await runBatch(run, steps, controller.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchAbortedError);
    expect(finished).toEqual([0, 1]);
    expect(log).toEqual({ opened: 1, committed: 0, rolledBack: 1 });
  });

  it('fails a batch whose deadline passed during its last step', async () => {
    const { log, run } = fakeTransactions();
    const controller = new AbortController();
    const steps: BatchStep<number>[] = [async () => {
      controller.abort();
      return 1;
    }];
    await expect(runBatch(run, steps, controller.signal)).rejects.toBeInstanceOf(BatchAbortedError);
    expect(log.rolledBack).toBe(1);
  });

  it('opens no transaction when the signal has already aborted', async () => {
    const { log, run } = fakeTransactions();
    const controller = new AbortController();
    controller.abort();
    await expect(runBatch(run, [async () => 1], controller.signal)).rejects.toBeInstanceOf(BatchAbortedError);
    expect(log.opened).toBe(0);
  });
});

describe('batchDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts once the timeout elapses, not before', () => {
    vi.useFakeTimers();
    const deadline = batchDeadline(3000);
    vi.advanceTimersByTime(2999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    deadline.clear();
  });

  it('aborts when the other signal aborts (client gone), also if it already had', () => {
    vi.useFakeTimers();
    const client = new AbortController();
    const deadline = batchDeadline(3000, client.signal);
    expect(deadline.signal.aborted).toBe(false);
    client.abort();
    expect(deadline.signal.aborted).toBe(true);
    deadline.clear();
    expect(batchDeadline(3000, client.signal).signal.aborted).toBe(true);
  });

  it('never aborts after clear()', () => {
    vi.useFakeTimers();
    const client = new AbortController();
    const deadline = batchDeadline(3000, client.signal);
    deadline.clear();
    vi.advanceTimersByTime(10_000);
    client.abort();
    expect(deadline.signal.aborted).toBe(false);
  });

  it('stops a running batch at its deadline and rolls it back', async () => {
    vi.useFakeTimers();
    const { log, run } = fakeTransactions();
    const deadline = batchDeadline(1000);
    const ran: number[] = [];
    const steps: BatchStep<number>[] = [0, 1, 2].map((i) => async () => {
      ran.push(i);
      // The second step is slow: the clock passes the deadline while it runs.
      if (i === 1) await vi.advanceTimersByTimeAsync(1500);
      return i;
    });
    await expect(runBatch(run, steps, deadline.signal)).rejects.toBeInstanceOf(BatchAbortedError);
    expect(ran).toEqual([0, 1]);
    expect(log).toEqual({ opened: 1, committed: 0, rolledBack: 1 });
    deadline.clear();
  });
});

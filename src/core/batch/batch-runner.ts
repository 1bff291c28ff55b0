/**
 * The batch runner of docs/api.md §7: runs sub-requests one after another inside one
 * write transaction. The first failure, the deadline or a client abort rolls all
 * of them back; record events leave only after the commit (the WriteScope does that).
 */
import type { WriteScope } from '../records/write-scope.js';

/** One sub-request of a batch, run inside the batch's transaction. */
export type BatchStep<T> = (scope: WriteScope) => Promise<T>;

/** Opens one transaction and runs `fn` in it (RecordService.inTransaction). */
export type TransactionRunner = <R>(fn: (scope: WriteScope) => Promise<R>) => Promise<R>;

/** The sub-request at `index` failed; `cause` is its own error. Everything was rolled back. */
export class BatchStepError extends Error {
  constructor(readonly index: number, cause: unknown) {
    super(`batch request ${index} failed`, { cause });
    this.name = 'BatchStepError';
  }
}

/** The batch was stopped (deadline passed or client gone) before it committed; everything was rolled back. */
export class BatchAbortedError extends Error {
  constructor(reason: unknown) {
    super('batch transaction stopped', { cause: reason });
    this.name = 'BatchAbortedError';
  }
}

/**
 * Runs `steps` in order in one transaction and returns their results in order.
 * Throws BatchStepError for the first failing step and BatchAbortedError once
 * `signal` aborts; either way the transaction rolls back.
 */
export async function runBatch<T>(inTransaction: TransactionRunner, steps: readonly BatchStep<T>[], signal: AbortSignal): Promise<T[]> {
  if (signal.aborted) throw new BatchAbortedError(signal.reason);
  return inTransaction(async (scope) => {
    const results: T[] = [];
    for (const [index, step] of steps.entries()) {
      // NOTE: stopping is cooperative: a started step runs to its end before the rollback.
      // Abandoning it halfway would let its remaining queries reach the connection after
      // the ROLLBACK, outside any transaction, where they would commit on their own.
      if (signal.aborted) throw new BatchAbortedError(signal.reason);
      try {
        results.push(await step(scope));
      } catch (err) {
        throw new BatchStepError(index, err);
      }
    }
    // A deadline that passed during the last step still fails the batch (docs/api.md §7).
    if (signal.aborted) throw new BatchAbortedError(signal.reason);
    return results;
  });
}

/** A signal that aborts after `timeoutMs` or when `also` aborts; call `clear()` when done. */
export interface BatchDeadline {
  signal: AbortSignal;
  clear(): void;
}

/**
 * Builds the batch's stop signal from its timeout (settings `batch.timeout`) and an
 * optional other signal (the client going away).
 */
export function batchDeadline(timeoutMs: number, also?: AbortSignal): BatchDeadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('batch transaction timeout')), timeoutMs);
  const onAbort = (): void => controller.abort(also?.reason);
  if (also?.aborted) onAbort();
  else also?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      also?.removeEventListener('abort', onAbort);
    },
  };
}

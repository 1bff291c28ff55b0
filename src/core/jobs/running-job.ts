/**
 * One attempt of a job while a worker runs it (docs/jobs.md §3): its claim,
 * its abort signal (timeout, lost claim, shutdown) and the result a handler set.
 */
import type { JobClaim, JobRow } from './job-store.js';

/** How an attempt ended. */
export type AttemptOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** RunningJob tracks one attempt. */
export class RunningJob {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** What the handler passed to `ctx.setResult`, if anything. */
  resultValue: unknown = undefined;
  /** Set once the attempt ended and was recorded (or given up). */
  done = false;
  /** Set when the worker gave the job back at shutdown: nothing more is recorded. */
  released = false;
  /** Settles once the attempt ended and was recorded. */
  settled: Promise<void> = Promise.resolve();

  constructor(readonly row: JobRow, readonly claim: JobClaim, private readonly timeoutMs: number) {}

  /** Aborted on timeout, a lost claim or shutdown. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs the handler until it settles or the attempt is aborted, whichever comes first. */
  execute(handler: () => Promise<unknown>): Promise<AttemptOutcome> {
    const aborted = new Promise<AttemptOutcome>((done) => {
      this.controller.signal.addEventListener('abort', () => done({ ok: false, error: this.controller.signal.reason }), { once: true });
    });
    this.timer = setTimeout(() => this.abort(new Error(`The attempt timed out after ${this.timeoutMs} ms.`)), this.timeoutMs);
    this.timer.unref();
    const ran = Promise.resolve()
      .then(handler)
      .then((value): AttemptOutcome => ({ ok: true, value }), (error: unknown): AttemptOutcome => ({ ok: false, error }));
    // NOTE: a handler that ignores its signal keeps running after a timeout; its late outcome is dropped.
    return Promise.race([ran, aborted]);
  }

  /** Aborts the attempt with `reason` (a handler sees `ctx.signal.aborted`). */
  abort(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Keeps a value to persist with the attempt's outcome. */
  setResult(value: unknown): void {
    this.resultValue = value;
  }

  /** Marks the attempt over and clears its timer. */
  finish(): void {
    this.done = true;
    clearTimeout(this.timer);
  }
}

/**
 * The result stored for a successful attempt: the handler's return value merged with
 * what it set through `ctx.setResult` (two plain objects merge, the returned keys winning;
 * otherwise the returned value, or the set one when nothing was returned).
 */
export function mergeResult(returned: unknown, set: unknown): unknown {
  if (returned === undefined) return set;
  if (isPlainObject(returned) && isPlainObject(set)) return { ...set, ...returned };
  return returned;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

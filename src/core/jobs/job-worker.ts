/**
 * The JobWorker is the one worker loop of a node (docs/jobs.md §3): it claims
 * runnable jobs of the names this node defines, up to each definition's
 * concurrency, runs them with a timeout, renews their claims while they run
 * (so only a dead worker's jobs are claimed again), and records each attempt.
 * It polls, and is woken at once after a commit that enqueued. `stop()` stops
 * claiming, lets running jobs finish for a grace period, then gives back what
 * it still holds.
 */
import { backoffDelay } from './job-backoff.js';
import type { JobDefinition, JobService } from './job-service.js';
import type { JobClaim, JobRow, JobStore } from './job-store.js';
import type { BackoffSpec, JobContext } from './job-types.js';
import { parseJson, toJsonText } from './job-view.js';
import { mergeResult, RunningJob, type AttemptOutcome } from './running-job.js';
import type { JobAttemptOutcome } from '../metrics/node-metrics.js';
import { inSpan, tracing } from '../../tools/tracing.js';

/** What a JobWorker needs. */
export interface JobWorkerDeps {
  jobs: JobService;
  store: JobStore;
  /** This node's id, written on the rows it claims. */
  nodeId: string;
  /** How often to look for due jobs when nothing woke the worker (ms). */
  pollMs: number;
  /** How long `stop()` waits for running jobs before giving them back (ms). */
  graceMs: number;
  onError(err: unknown, what: string): void;
  /** Told how each recorded attempt ended (metrics, docs/observability.md §1). */
  onAttempt?(name: string, outcome: JobAttemptOutcome): void;
}

/** The longest error text kept on a job. */
const MAX_ERROR_LENGTH = 4000;

/** JobWorker claims and runs jobs until stopped. */
export class JobWorker {
  private readonly running = new Map<number, RunningJob>();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private loopDone: Promise<void> = Promise.resolve();
  private wakeSleep: (() => void) | undefined;
  private woken = false;
  private lastReap = 0;
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: JobWorkerDeps) {
    deps.jobs.onDefine(() => this.wake());
  }

  /** Starts the loop (once). */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.loopDone = this.loop();
  }

  /** Makes the loop look for jobs now instead of at its next poll. */
  wake(): void {
    this.woken = true;
    this.wakeSleep?.();
  }

  /** How many attempts this worker runs now. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Stops claiming, waits up to the grace period for running attempts, then aborts the
   * rest and gives their jobs back (queued again, the attempt not counted).
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.wake();
    await this.loopDone;
    if (wasRunning && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((done) => (timer = setTimeout(done, this.deps.graceMs)));
      await Promise.race([Promise.allSettled([...this.running.values()].map((r) => r.settled)), grace]);
      clearTimeout(timer);
      await Promise.allSettled([...this.running.values()].map((r) => this.release(r)));
    }
    this.state = 'stopped';
  }

  private async loop(): Promise<void> {
    while (this.state === 'running') {
      let claimedAll = false;
      try {
        claimedAll = await this.claimRound();
      } catch (err) {
        this.deps.onError(err, 'claiming jobs');
      }
      if (this.state !== 'running') break;
      // A full claim suggests more are due: look again as soon as a slot frees.
      if (!claimedAll || !this.hasFreeSlot()) await this.sleep(this.deps.pollMs);
    }
  }

  /** One round: ends expired claims that have no attempt left, then claims per definition; true when some claim was full. */
  private async claimRound(): Promise<boolean> {
    const now = this.deps.jobs.now();
    // Once per poll interval, not per round: a busy worker runs many rounds a second.
    if (now - this.lastReap >= this.deps.pollMs) {
      this.lastReap = now;
      await this.deps.store.reapExpired(now);
    }
    let full = false;
    for (const def of this.deps.jobs.allDefinitions()) {
      const free = def.concurrency - this.countRunning(def.name);
      if (free <= 0 || this.state !== 'running') continue;
      const rows = await this.deps.store.claim(def.name, free, this.deps.nodeId, this.deps.jobs.now());
      if (rows.length === free) full = true;
      // NOTE: stop() may have begun while claiming; these rows are then given back by the grace logic.
      for (const row of rows) this.run(row, def);
    }
    return full;
  }

  private run(row: JobRow, def: JobDefinition): void {
    const claim: JobClaim = { seq: Number(row.seq), attempts: Number(row.attempts), lockedBy: this.deps.nodeId };
    const job = new RunningJob(row, claim, Number(row.timeoutMs));
    this.running.set(claim.seq, job);
    const heartbeat = setInterval(() => void this.renew(job), Math.max(50, Math.floor(Number(row.visibilityMs) / 3)));
    heartbeat.unref();
    const ctx: JobContext = {
      id: row.id, name: row.name, payload: parseJson(row.payload), attempt: claim.attempts, signal: job.signal,
      setResult: (value) => job.setResult(value),
    };
    const tracer = tracing.tracer;
    const handler = tracer
      ? () => inSpan(tracer, `job ${row.name}`, { 'plinth.job.name': row.name, 'plinth.job.id': row.id, 'plinth.job.attempt': claim.attempts }, async () => def.handler(ctx))
      : () => def.handler(ctx);
    job.settled = job.execute(handler)
      .then((outcome) => this.record(job, outcome))
      .catch((err: unknown) => this.deps.onError(err, `recording job ${row.id} (${row.name})`))
      .finally(() => {
        clearInterval(heartbeat);
        job.finish();
        this.running.delete(claim.seq);
        this.wake();
      });
  }

  private async renew(job: RunningJob): Promise<void> {
    if (job.done) return;
    try {
      const held = await this.deps.store.renew(job.claim, this.deps.jobs.now());
      // Another worker took it over (this node stalled past the visibility timeout): stop ours.
      if (!held && !job.done) job.abort(new Error('The job was claimed by another worker after its visibility timeout passed.'));
    } catch (err) {
      this.deps.onError(err, `renewing the claim of job ${job.row.id}`);
    }
  }

  private async record(job: RunningJob, outcome: AttemptOutcome): Promise<void> {
    if (job.released) return;
    const now = this.deps.jobs.now();
    if (outcome.ok) {
      const result = mergeResult(outcome.value, job.resultValue);
      const text = jsonOrError(result);
      // A result JSON cannot hold fails the attempt, with the reason, instead of leaving it running.
      if (typeof text === 'string' || text === null) {
        await this.deps.store.complete(job.claim, text, now);
        this.deps.onAttempt?.(job.row.name, 'done');
        return;
      }
      return this.recordFailure(job, text.error, null, now);
    }
    const extra = jsonOrError(job.resultValue);
    await this.recordFailure(job, outcome.error, typeof extra === 'string' ? extra : null, now);
  }

  private async recordFailure(job: RunningJob, error: unknown, result: string | null, now: number): Promise<void> {
    const attempt = job.claim.attempts;
    const retryAt = attempt >= Number(job.row.maxAttempts) ? null : now + backoffDelay(parseJson(job.row.backoff) as BackoffSpec, attempt);
    await this.deps.store.fail(job.claim, errorText(error), result, retryAt, now);
    this.deps.onAttempt?.(job.row.name, retryAt === null ? 'dead' : 'retry');
    // A retry due before the next poll is looked for when it is due.
    if (retryAt !== null && retryAt - now < this.deps.pollMs) setTimeout(() => this.wake(), retryAt - now).unref();
  }

  private async release(job: RunningJob): Promise<void> {
    if (job.done) return;
    job.released = true;
    job.abort(new Error('The node is shutting down.'));
    try {
      await this.deps.store.release(job.claim, this.deps.jobs.now());
    } catch (err) {
      this.deps.onError(err, `giving back job ${job.row.id}`);
    }
  }

  private countRunning(name: string): number {
    let n = 0;
    for (const job of this.running.values()) if (job.row.name === name) n++;
    return n;
  }

  private hasFreeSlot(): boolean {
    return this.deps.jobs.allDefinitions().some((def) => this.countRunning(def.name) < def.concurrency);
  }

  /** Waits `ms`, or less when woken; a wake that came while awake ends the next wait at once. */
  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((done) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeSleep = undefined;
        this.woken = false;
        done();
      };
      const timer = setTimeout(finish, ms);
      timer.unref();
      this.wakeSleep = finish;
    });
  }
}

/** A result as stored JSON text (null for none), or the error that it cannot be stored. */
function jsonOrError(value: unknown): string | null | { error: unknown } {
  if (value === undefined) return null;
  try {
    return toJsonText(value, 'the job result');
  } catch (error) {
    return { error };
  }
}

/** The text of a failed attempt kept on the job. */
function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : safeJson(err);
  return text.length > MAX_ERROR_LENGTH ? text.slice(0, MAX_ERROR_LENGTH) : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

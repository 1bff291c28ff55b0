/**
 * The types of durable jobs (docs/jobs.md §1): what a definition and an enqueue
 * may set, what a handler gets, and the public view of a job. Jobs, cron ticks
 * and the event outbox are all rows of the one `_jobs` table, worked by one
 * worker loop per node.
 */
import type { WriteScope } from '../records/write-scope.js';

/** Where a job is: `failed` = its last attempt failed and a retry is scheduled; `dead` = no attempt left. */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'dead';

/** Every status, in the order the API documents them. */
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'failed', 'dead'];

/** How long to wait before the next attempt: `delayMs` each time, or doubling from it, capped at `maxDelayMs`. */
export interface BackoffSpec {
  type: 'exponential' | 'fixed';
  delayMs: number;
  maxDelayMs?: number;
}

/** Options of a job definition; each is a default for the jobs of that name. */
export interface JobDefinitionOptions {
  /** How many jobs of this name one node runs at once (default 5). */
  concurrency?: number;
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  backoff?: BackoffSpec;
  /** How long one attempt may run before its signal aborts and it counts as failed (default 60 s). */
  timeoutMs?: number;
  /** How long a claimed job stays invisible to other workers without a heartbeat (default: the node's). */
  visibilityMs?: number;
}

/** Options of one enqueue; those set override the definition's. */
export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Run no earlier than this time (a Date or ms since the epoch). */
  runAt?: Date | number;
  /** A dedupe key: while a job with this key exists, another enqueue with it adds nothing. */
  key?: string;
  /** Jobs with the same order key run one after the other, in enqueue order. */
  orderKey?: string;
  /** A label to find the job by (e.g. the webhook a delivery belongs to). */
  tag?: string;
  attempts?: number;
  backoff?: BackoffSpec;
  timeoutMs?: number;
}

/** What a handler gets for one attempt. */
export interface JobContext<P = unknown> {
  id: string;
  name: string;
  payload: P;
  /** The attempt running now, from 1. */
  attempt: number;
  /** Aborted when the attempt times out, its claim is lost, or the node shuts down. */
  signal: AbortSignal;
  /** Persisted on the row whether the attempt succeeds or fails (delivery logs use it). */
  setResult(value: unknown): void;
}

/** A job handler: its resolved value becomes the job's result (JSON). */
export type JobHandler<P = unknown> = (ctx: JobContext<P>) => Promise<unknown>;

/** The public view of a job (the jobs API's items, docs/jobs.md §4). */
export interface JobView {
  id: string;
  name: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  /** When the job runs (next), in the API's datetime format. */
  runAt: string;
  lastError: string;
  result: unknown;
  /** The dedupe key, '' when none. */
  key: string;
  /** The tag, '' when none. */
  tag: string;
  created: string;
  updated: string;
}

/** The durable jobs of a deployment, as code inside Plinth uses them. */
export interface Jobs {
  /** Defines (or redefines: the handler is replaced) the handler of the jobs called `name` on this node. */
  define<P>(name: string, handler: (ctx: JobContext<P>) => Promise<unknown>, opts?: JobDefinitionOptions): void;
  /**
   * Enqueues; with `scope` the row is inserted in that transaction (exists only if it
   * commits). Returns the job's public view, or the existing job when `key` already
   * exists (no second row).
   */
  enqueue(name: string, payload: unknown, opts?: EnqueueOptions, scope?: WriteScope): Promise<JobView>;
  /** The job with this public id. */
  get(id: string): Promise<JobView | undefined>;
  /** Queues a job that is not running again, to run now with a fresh count of attempts (docs/jobs.md §2). */
  retry(id: string): Promise<JobView>;
  /** Deletes a job; false when there was none. */
  remove(id: string): Promise<boolean>;
}

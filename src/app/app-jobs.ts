/**
 * `app.jobs` (docs/hooks.md §4, docs/jobs.md §1): durable jobs for app code,
 * with the option names of the hooks API (`delay`, `timeout` in ms). Bound to
 * the app's transaction when there is one (`runInTransaction`, a record hook's
 * `e.app`): an enqueue then joins it and the job exists only if it commits.
 */
import type { JobService } from '../core/jobs/job-service.js';
import type { BackoffSpec, EnqueueOptions, JobContext, JobDefinitionOptions, JobView } from '../core/jobs/job-types.js';
import type { WriteScope } from '../core/records/write-scope.js';

/** A backoff: a spec, or a number of ms to double from (exponential). */
export type AppBackoff = BackoffSpec | number;

/** The options of `app.jobs.define`. */
export interface AppJobOptions {
  /** Jobs of this name one node runs at once (default 5). */
  concurrency?: number;
  /** Attempts in all (default 3). */
  attempts?: number;
  backoff?: AppBackoff;
  /** Milliseconds one attempt may run (default 60,000). */
  timeout?: number;
  /** Milliseconds a claim stays hidden from other workers without a heartbeat (default `--jobVisibilityTimeout`). */
  visibility?: number;
}

/** The options of `app.jobs.enqueue`. */
export interface AppEnqueueOptions {
  /** Milliseconds from now before the first attempt. */
  delay?: number;
  /** When the first attempt may run. */
  runAt?: Date | number;
  /** A dedupe key: a second enqueue with the same key adds nothing and returns the first job. */
  key?: string;
  /** Jobs with the same order key run one after the other, in enqueue order. */
  orderKey?: string;
  tag?: string;
  attempts?: number;
  backoff?: AppBackoff;
  timeout?: number;
}

/** The jobs API of app code. */
export class AppJobs {
  constructor(private readonly jobs: JobService, private readonly scope: WriteScope | undefined) {}

  /** Defines the handler of jobs called `name`; defining it again replaces the handler. Names starting with `@` are Plinth's. */
  define<P = unknown>(name: string, handler: (ctx: JobContext<P>) => Promise<unknown> | unknown, opts: AppJobOptions = {}): void {
    if (typeof name === 'string' && name.startsWith('@')) throw new TypeError(`job names starting with "@" are reserved for Plinth's own jobs: ${JSON.stringify(name)}`);
    const def: JobDefinitionOptions = {};
    if (opts.concurrency !== undefined) def.concurrency = opts.concurrency;
    if (opts.attempts !== undefined) def.attempts = opts.attempts;
    if (opts.backoff !== undefined) def.backoff = backoffOf(opts.backoff);
    if (opts.timeout !== undefined) def.timeoutMs = opts.timeout;
    if (opts.visibility !== undefined) def.visibilityMs = opts.visibility;
    this.jobs.define<P>(name, async (ctx) => handler(ctx), def);
  }

  /** Enqueues a job; inside a transaction it exists only if the transaction commits. */
  enqueue(name: string, payload?: unknown, opts: AppEnqueueOptions = {}): Promise<JobView> {
    const options: EnqueueOptions = {};
    if (opts.delay !== undefined) options.delayMs = opts.delay;
    if (opts.runAt !== undefined) options.runAt = opts.runAt;
    if (opts.key !== undefined) options.key = opts.key;
    if (opts.orderKey !== undefined) options.orderKey = opts.orderKey;
    if (opts.tag !== undefined) options.tag = opts.tag;
    if (opts.attempts !== undefined) options.attempts = opts.attempts;
    if (opts.backoff !== undefined) options.backoff = backoffOf(opts.backoff);
    if (opts.timeout !== undefined) options.timeoutMs = opts.timeout;
    return this.jobs.enqueue(name, payload, options, this.scope);
  }

  /** The job with this id, or undefined. */
  get(id: string): Promise<JobView | undefined> {
    return this.jobs.get(id);
  }

  /** Queues a job that is not running to run now, its attempts counted from zero. */
  retry(id: string): Promise<JobView> {
    return this.jobs.retry(id);
  }

  /** Deletes a job; false when there was none. */
  remove(id: string): Promise<boolean> {
    return this.jobs.remove(id);
  }
}

function backoffOf(value: AppBackoff): BackoffSpec {
  return typeof value === 'number' ? { type: 'exponential', delayMs: value } : value;
}

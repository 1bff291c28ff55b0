/**
 * JobService is the Jobs of a node (docs/jobs.md §1): the definitions this
 * node runs, enqueue (in the caller's transaction when given one, with a dedupe
 * key), and the reads and edits of the jobs API. After a commit that enqueued,
 * the worker is woken — this node's at once, the others' through the Bus.
 */
import type { Db } from '../../db/database.js';
import { badRequest, notFound } from '../../errors/app-error.js';
import { formatDateTime } from '../../tools/datetime.js';
import { randomId } from '../../tools/ids.js';
import type { WriteScope } from '../records/write-scope.js';
import { assertBackoff, assertWholeNumber, DEFAULT_BACKOFF } from './job-backoff.js';
import type { JobListQuery, JobStore, NewJobRow } from './job-store.js';
import type { BackoffSpec, EnqueueOptions, JobContext, JobDefinitionOptions, JobHandler, Jobs, JobView } from './job-types.js';
import { jobView, toJsonText } from './job-view.js';

/** A job definition with every option resolved. */
export interface JobDefinition {
  name: string;
  handler: JobHandler;
  concurrency: number;
  attempts: number;
  backoff: BackoffSpec;
  timeoutMs: number;
  visibilityMs: number;
}

/** The defaults of definitions that set nothing. */
export const JOB_DEFAULTS = { concurrency: 5, attempts: 3, timeoutMs: 60_000, visibilityMs: 30_000 } as const;

/** The longest job name, dedupe key, order key or tag. */
const MAX_NAME_LENGTH = 255;
/** The largest payload, as JSON text. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** The furthest in the future a job may be scheduled (ten years), so times stay representable. */
const MAX_DELAY_MS = 10 * 365 * 86_400_000;

/** What a JobService needs. */
export interface JobServiceDeps {
  db: Db;
  store: JobStore;
  /** The visibility timeout of definitions that set none (`--jobVisibilityTimeout`). */
  visibilityMs?: number;
  /** Wakes the workers after a commit that enqueued (this node's and, through the Bus, the others'). */
  notify(): void;
  clock?: () => number;
}

/** JobService implements Jobs over the `_jobs` table. */
export class JobService implements Jobs {
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly listeners = new Set<() => void>();
  readonly now: () => number;

  constructor(private readonly deps: JobServiceDeps) {
    this.now = deps.clock ?? Date.now;
  }

  /** Defines (or redefines: a `--dev` reload replaces the handler) the jobs called `name`. */
  define<P>(name: string, handler: (ctx: JobContext<P>) => Promise<unknown>, opts: JobDefinitionOptions = {}): void {
    assertName(name, 'job name');
    if (typeof handler !== 'function') throw new TypeError(`job "${name}": the handler must be a function`);
    const where = `job "${name}"`;
    if (opts.concurrency !== undefined) assertWholeNumber(opts.concurrency, `${where}: concurrency`, 1, 1000);
    if (opts.attempts !== undefined) assertWholeNumber(opts.attempts, `${where}: attempts`, 1, 1000);
    if (opts.timeoutMs !== undefined) assertWholeNumber(opts.timeoutMs, `${where}: timeout`, 1, MAX_DELAY_MS);
    if (opts.visibilityMs !== undefined) assertWholeNumber(opts.visibilityMs, `${where}: visibilityMs`, 100, MAX_DELAY_MS);
    if (opts.backoff !== undefined) assertBackoff(opts.backoff, where);
    this.definitions.set(name, {
      name,
      handler: handler as JobHandler,
      concurrency: opts.concurrency ?? JOB_DEFAULTS.concurrency,
      attempts: opts.attempts ?? JOB_DEFAULTS.attempts,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      timeoutMs: opts.timeoutMs ?? JOB_DEFAULTS.timeoutMs,
      visibilityMs: opts.visibilityMs ?? this.deps.visibilityMs ?? JOB_DEFAULTS.visibilityMs,
    });
    for (const listener of this.listeners) listener();
  }

  /** The definition of `name` on this node. */
  definition(name: string): JobDefinition | undefined {
    return this.definitions.get(name);
  }

  /** Every definition of this node. */
  allDefinitions(): JobDefinition[] {
    return [...this.definitions.values()];
  }

  /** Calls `fn` whenever a definition is added or replaced (the worker claims the new name at once). */
  onDefine(fn: () => void): void {
    this.listeners.add(fn);
  }

  /**
   * Enqueues a job of a name this node defines (docs/jobs.md §1: an unknown name is refused,
   * so a typo fails at once instead of waiting forever); with `scope`, in its transaction.
   */
  async enqueue(name: string, payload: unknown, opts: EnqueueOptions = {}, scope?: WriteScope): Promise<JobView> {
    const def = this.definitions.get(name);
    if (!def) throw new Error(`no job "${name}" is defined on this node: call jobs.define("${name}", handler) before enqueueing it`);
    const row = this.newRow(def, payload, opts);
    const stored = await this.deps.store.insert(scope?.trx ?? this.deps.db, row);
    if (scope) scope.afterCommit(() => this.deps.notify());
    else this.deps.notify();
    return jobView(stored);
  }

  /** The job with this public id. */
  async get(id: string): Promise<JobView | undefined> {
    const row = await this.deps.store.get(id);
    return row && jobView(row);
  }

  /** Queues a job that is not running to run now, with its attempts counted from zero; 404 when missing, 400 while running. */
  async retry(id: string): Promise<JobView> {
    const row = await this.deps.store.requeue(id, this.now());
    if (row) {
      this.deps.notify();
      return jobView(row);
    }
    if (!(await this.deps.store.get(id))) throw notFound();
    throw badRequest('The job is running; it can be retried once its attempt ends.');
  }

  /** Deletes a job; false when there was none. */
  remove(id: string): Promise<boolean> {
    return this.deps.store.remove(id);
  }

  /** A page of jobs, newest first. */
  async list(query: JobListQuery): Promise<{ items: JobView[]; total: number }> {
    const { rows, total } = await this.deps.store.list(query);
    return { items: rows.map(jobView), total };
  }

  /** The row of a new job, its options checked (a TypeError names a bad one). */
  private newRow(def: JobDefinition, payload: unknown, opts: EnqueueOptions): NewJobRow {
    const where = `enqueue "${def.name}"`;
    const text = toJsonText(payload, `${where}: the payload`);
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new TypeError(`${where}: the payload is larger than ${MAX_PAYLOAD_BYTES} bytes as JSON`);
    for (const field of ['key', 'orderKey', 'tag'] as const) {
      if (opts[field] !== undefined) assertName(opts[field], `${where}: ${field}`);
    }
    if (opts.attempts !== undefined) assertWholeNumber(opts.attempts, `${where}: attempts`, 1, 1000);
    if (opts.timeoutMs !== undefined) assertWholeNumber(opts.timeoutMs, `${where}: timeout`, 1, MAX_DELAY_MS);
    if (opts.backoff !== undefined) assertBackoff(opts.backoff, where);
    const now = this.now();
    const at = runAtOf(opts, now, where);
    const stamp = formatDateTime(new Date(now));
    return {
      id: randomId(),
      name: def.name,
      payload: text,
      maxAttempts: opts.attempts ?? def.attempts,
      backoff: JSON.stringify(opts.backoff ?? def.backoff),
      timeoutMs: opts.timeoutMs ?? def.timeoutMs,
      visibilityMs: def.visibilityMs,
      runAt: at,
      key: opts.key ?? null,
      orderKey: opts.orderKey ?? null,
      tag: opts.tag ?? null,
      created: stamp,
      updated: stamp,
    };
  }
}

/** When a job first runs: `runAt`, else `delayMs` from now, else now. */
function runAtOf(opts: EnqueueOptions, now: number, where: string): number {
  if (opts.runAt !== undefined) {
    const at = opts.runAt instanceof Date ? opts.runAt.getTime() : opts.runAt;
    if (typeof at !== 'number' || !Number.isFinite(at) || at < 0 || at > now + MAX_DELAY_MS) {
      throw new TypeError(`${where}: runAt must be a Date or a time in ms since the epoch, at most ten years ahead`);
    }
    return Math.round(at);
  }
  if (opts.delayMs !== undefined) {
    assertWholeNumber(opts.delayMs, `${where}: delay`, 0, MAX_DELAY_MS);
    return now + opts.delayMs;
  }
  return now;
}

/** Checks a job name, key, order key or tag: a non-empty string of at most 255 characters. */
function assertName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_NAME_LENGTH) {
    throw new TypeError(`${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, not ${JSON.stringify(value)}`);
  }
}

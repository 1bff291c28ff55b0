/**
 * The CronScheduler (docs/jobs.md §5): `cronAdd` / `cronRemove` of app code and
 * Plinth's own housekeeping crons. Each node keeps the same schedule; at a tick
 * every node enqueues a `@cron` job with the dedupe key `cron:<id>:<tick>`, so
 * one row exists per tick and exactly one node runs it.
 */
import { badRequest, notFound } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { parseCronExpression, scheduleCron } from './cron-expression.js';
import type { JobService } from './job-service.js';
import type { JobView } from './job-types.js';

/** The job every cron tick is. */
export const CRON_JOB = '@cron';

/** What a cron runs. */
export type CronHandler = () => void | Promise<void>;

/** A cron as `GET /api/crons` lists it. */
export interface CronEntry {
  id: string;
  expression: string;
}

interface Cron extends CronEntry {
  fields: string;
  handler: CronHandler;
  timer?: { stop(): void };
}

/** The payload of a `@cron` job. */
interface CronPayload {
  id: string;
  tick: string;
}

/** What the scheduler needs. */
export interface CronSchedulerDeps {
  jobs: JobService;
  onError(err: unknown, what: string): void;
  /** Runs work that must not hold up an answer (`POST /api/crons/{id}`). */
  background(what: string, task: () => Promise<void>): void;
}

/** The longest cron id. */
const MAX_ID_LENGTH = 255;

/** CronScheduler keeps this node's crons and turns their ticks into jobs. */
export class CronScheduler {
  private readonly crons = new Map<string, Cron>();
  private started = false;

  constructor(private readonly deps: CronSchedulerDeps) {
    // One attempt: the next tick is the retry. An hour at most, renewed while it runs.
    deps.jobs.define<CronPayload>(CRON_JOB, async ({ payload }) => this.execute(payload.id), { attempts: 1, concurrency: 10, timeoutMs: 3_600_000 });
  }

  /** Adds (or replaces) the cron `id`; a 400 naming `id` or `expression` when one is invalid. */
  add(id: string, expression: string, handler: CronHandler): void {
    if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_ID_LENGTH) {
      throw badRequest(`Invalid cron id ${JSON.stringify(id)}: a non-empty string of at most ${MAX_ID_LENGTH} characters.`, { id: codeError('validation_invalid_value') });
    }
    const fields = parseCronExpression(expression);
    if (typeof handler !== 'function') throw new TypeError(`cron "${id}": the handler must be a function`);
    this.remove(id);
    const cron: Cron = { id, expression, fields, handler };
    this.crons.set(id, cron);
    if (this.started) this.schedule(cron);
  }

  /** Removes the cron `id` (nothing when there is none). */
  remove(id: string): void {
    const cron = this.crons.get(id);
    cron?.timer?.stop();
    this.crons.delete(id);
  }

  /** Every cron: the application's sorted by id, then Plinth's own (`__pb…`), as PocketBase lists them. */
  list(): CronEntry[] {
    const own = (id: string) => id.startsWith('__pb');
    return [...this.crons.values()]
      .map(({ id, expression }) => ({ id, expression }))
      .sort((a, b) => (own(a.id) !== own(b.id) ? (own(a.id) ? 1 : -1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Runs the cron `id` now on this node, in the background; 404 when there is none. */
  runNow(id: string): void {
    const cron = this.crons.get(id);
    if (!cron) throw notFound('Missing or invalid cron job');
    this.deps.background(`cron ${id}`, async () => {
      await cron.handler();
    });
  }

  /**
   * Enqueues the tick `tick` of cron `id`, as the schedule does at each matching minute;
   * every node enqueues it and the dedupe key keeps one. Tests fire ticks through it.
   */
  fire(id: string, tick: Date): Promise<JobView> {
    const at = tick.toISOString();
    return this.deps.jobs.enqueue(CRON_JOB, { id, tick: at } satisfies CronPayload, { key: `cron:${id}:${at}` });
  }

  /** Starts the schedules (when the node starts). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const cron of this.crons.values()) this.schedule(cron);
  }

  /** Stops every schedule; ticks already enqueued stay for any node to run. */
  stop(): void {
    this.started = false;
    for (const cron of this.crons.values()) {
      cron.timer?.stop();
      cron.timer = undefined;
    }
  }

  private schedule(cron: Cron): void {
    cron.timer = scheduleCron(cron.fields, (tick) => {
      this.fire(cron.id, tick).catch((err: unknown) => this.deps.onError(err, `enqueueing cron ${cron.id}`));
    });
  }

  private async execute(id: string): Promise<void> {
    const cron = this.crons.get(id);
    // A cron removed, or not added on the node that claimed its tick: the tick ends dead with this message.
    if (!cron) throw new Error(`no cron "${id}" is added on this node`);
    await cron.handler();
  }
}

/**
 * The jobs of a node put together (docs/jobs.md §3): the store, the Jobs
 * service, the one worker loop and the cron scheduler, and the wake-ups between
 * nodes. Built with the services; started when the node starts (after the app
 * code defined its jobs and crons), stopped first when it stops.
 */
import type { Db } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { randomId } from '../../tools/ids.js';
import type { Bus } from '../realtime/bus.js';
import { CronScheduler } from './cron-scheduler.js';
import { JobService } from './job-service.js';
import { JobStore } from './job-store.js';
import { JobWorker } from './job-worker.js';
import type { JobAttemptOutcome } from '../metrics/node-metrics.js';

/** The Bus channel on which a node tells the others that jobs were enqueued. */
export const JOBS_WAKE_CHANNEL = 'jobs:wake';

/** How long a stopping node lets running jobs finish before giving them back. */
export const JOBS_GRACE_MS = 5000;

/** What the jobs of a node need. */
export interface JobSystemDeps {
  db: Db;
  dialect: Dialect;
  bus: Bus;
  /** Whether other nodes share the database (a Bus between nodes): then they are woken through it. */
  crossNode: boolean;
  /** How often the worker looks for due jobs (ms). */
  pollMs: number;
  /** The default visibility timeout of a claim (ms). */
  visibilityMs: number;
  graceMs?: number;
  onError(err: unknown, what: string): void;
  /** Told how each attempt this node ran ended (metrics, docs/observability.md §1). */
  onAttempt?(name: string, outcome: JobAttemptOutcome): void;
  background(what: string, task: () => Promise<void>): void;
}

/** JobSystem owns the jobs, the worker and the crons of one node. */
export class JobSystem {
  readonly nodeId = randomId();
  readonly store: JobStore;
  readonly jobs: JobService;
  readonly worker: JobWorker;
  readonly crons: CronScheduler;
  private unsubscribe: (() => Promise<void>) | undefined;
  private publishPending = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: JobSystemDeps) {
    this.store = new JobStore(deps.db, deps.dialect);
    this.jobs = new JobService({ db: deps.db, store: this.store, visibilityMs: deps.visibilityMs, notify: () => this.notify() });
    this.worker = new JobWorker({
      jobs: this.jobs, store: this.store, nodeId: this.nodeId, pollMs: deps.pollMs, graceMs: deps.graceMs ?? JOBS_GRACE_MS, onError: deps.onError,
      onAttempt: deps.onAttempt,
    });
    this.crons = new CronScheduler({ jobs: this.jobs, onError: deps.onError, background: deps.background });
  }

  /** Starts the worker and the cron schedules; with other nodes, listens for their wake-ups. */
  async start(): Promise<void> {
    if (this.deps.crossNode && !this.unsubscribe) {
      this.unsubscribe = await this.deps.bus.subscribe(JOBS_WAKE_CHANNEL, (from) => {
        if (from !== this.nodeId) this.worker.wake();
      });
    }
    this.worker.start();
    this.crons.start();
  }

  /** Stops the schedules and the worker (running jobs finish or are given back); once, however often called. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.crons.stop();
    await this.worker.stop();
    const off = this.unsubscribe;
    this.unsubscribe = undefined;
    await off?.().catch((err: unknown) => this.deps.onError(err, 'leaving the jobs channel'));
  }

  /** Wakes this node's worker now and the other nodes' once per burst of enqueues. */
  private notify(): void {
    this.worker.wake();
    if (!this.deps.crossNode || this.publishPending) return;
    this.publishPending = true;
    setImmediate(() => {
      this.publishPending = false;
      this.deps.bus.publish(JOBS_WAKE_CHANNEL, this.nodeId).catch((err: unknown) => this.deps.onError(err, 'waking the other nodes'));
    });
  }
}

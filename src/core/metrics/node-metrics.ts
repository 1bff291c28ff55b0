/**
 * The metrics of one node (docs/observability.md §1) in prom-client's text format: HTTP
 * requests by route pattern, database query durations, realtime streams, jobs,
 * rate-limit rejections and the process. Each node has its own Registry, so several
 * nodes in one process (tests, library mode) keep apart.
 *
 * NOTE: the hot paths only count and observe (a few hundred nanoseconds); every gauge is
 * read from its source when Prometheus scrapes, through `collect()` callbacks.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The route label of a request no route matched (404): one fixed value, never the raw URL. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** How a job attempt ended: done, failed with a retry ahead, or failed for good. */
export type JobAttemptOutcome = 'done' | 'retry' | 'dead';

/** The kind of a database statement, the only label its duration gets (never its SQL text). */
export type QueryKind = 'select' | 'insert' | 'update' | 'delete' | 'other';

/** Where the gauges read their values at scrape time. */
export interface MetricSources {
  /** This node's realtime streams and their subscriptions. */
  realtime(): { streams: number; subscriptions: number };
  /** Jobs in the database by status (every node sees the same numbers). */
  jobs(): Promise<Partial<Record<string, number>>>;
}

/** The job statuses reported as gauges. */
const JOB_STATUSES = ['queued', 'running', 'dead'] as const;

/** Seconds; a database statement is usually well under a millisecond on SQLite. */
const QUERY_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Seconds; prom-client's defaults, from 5 ms to 10 s. */
const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** NodeMetrics owns a node's Registry and the counters the node's code moves. */
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  private readonly querySeconds: Histogram<'operation'>;
  private readonly rateLimits: Counter<'rule'>;
  private readonly jobAttempts: Counter<'name' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'plinth_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status'], registers });
    this.requestSeconds = new Histogram({
      name: 'plinth_http_request_duration_seconds', help: 'Time from request to response, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'], buckets: REQUEST_BUCKETS, registers,
    });
    this.querySeconds = new Histogram({ name: 'plinth_db_query_duration_seconds', help: 'Database statement durations, by kind of statement.', labelNames: ['operation'], buckets: QUERY_BUCKETS, registers });
    this.rateLimits = new Counter({ name: 'plinth_rate_limit_rejections_total', help: 'Requests refused with 429, by the rule or limit that fired.', labelNames: ['rule'], registers });
    this.jobAttempts = new Counter({
      name: 'plinth_jobs_processed_total', help: 'Job attempts that ended on this node, by job name and outcome (webhook deliveries are the @deliver job).',
      labelNames: ['name', 'outcome'], registers,
    });
  }

  /** The Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus' text format, gauges read now. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Counts one answered request; `route` is the route's pattern, never the URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    if (seconds >= 0) this.requestSeconds.observe(labels, seconds);
  }

  /** Records how long one database statement took. */
  observeQuery(operation: QueryKind, seconds: number): void {
    this.querySeconds.observe({ operation }, seconds);
  }

  /** Counts one request refused by the rate-limit `rule`. */
  rateLimited(rule: string): void {
    this.rateLimits.inc({ rule });
  }

  /** Counts one ended attempt of the job `name`. */
  jobAttempted(name: string, outcome: JobAttemptOutcome): void {
    this.jobAttempts.inc({ name, outcome });
  }

  /** Adds the gauges read from `sources` when scraped. */
  addSources(sources: MetricSources): void {
    const registers = [this.registry];
    new Gauge({ name: 'plinth_realtime_streams', help: 'Realtime (SSE) streams open on this node.', registers, collect() { this.set(sources.realtime().streams); } });
    new Gauge({ name: 'plinth_realtime_subscriptions', help: 'Topics subscribed by the realtime streams of this node.', registers, collect() { this.set(sources.realtime().subscriptions); } });
    new Gauge({
      name: 'plinth_jobs', help: 'Jobs in the database by status (queued, running, dead); the same on every node.', labelNames: ['status'], registers,
      async collect() {
        const counts = await sources.jobs();
        for (const status of JOB_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    });
  }
}

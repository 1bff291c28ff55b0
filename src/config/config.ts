/**
 * The typed configuration of one Plinth node. It is built once at start-up by
 * `loadConfig` (flags > `PLINTH_*` environment variables > defaults) and never
 * changes while the node runs.
 */

/** The pino log levels Plinth accepts, `silent` turning logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A LogLevel is one of the pino levels in LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** SMTP keys set by the environment; an absent key leaves the stored setting in force. */
export interface SmtpOverride {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  tls?: boolean;
}

/** PlinthConfig is the validated configuration a node is built from. */
export interface PlinthConfig {
  /** Where the HTTP server listens; an IPv6 host is stored without brackets (`::1`). */
  http: { host: string; port: number };
  /** Absolute path of the data directory (database, storage). */
  dir: string;
  /** Origins allowed by CORS; `['*']` allows any, `[]` allows none. */
  origins: string[];
  /** Development mode: more verbose logs and diagnostics; `plinth serve` reloads the hooks when they change. */
  dev: boolean;
  /**
   * Absolute path of the hooks folder (`--hooksDir`, docs/hooks.md §1), whose top-level
   * `*.ts`, `*.mts`, `*.js` and `*.mjs` files `plinth serve` loads; a missing folder holds
   * none. Unset: no hooks are loaded (library mode with `hooksDir: null`).
   */
  hooksDir?: string;
  logLevel: LogLevel;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /**
   * The longest one database statement may run, in seconds (decimals allowed), and the statements
   * of one list or aggregate together (docs/security.md "Queries"); past it the statement is
   * stopped and the request answers 400. On PostgreSQL it is the pool's `statement_timeout`; on
   * SQLite a budget the compiled filters and rules check as they read rows.
   */
  queryTimeout: number;
  /**
   * A PostgreSQL connection URL (`DATABASE_URL`): records, schema, tokens and jobs
   * live there instead of `<dir>/data.db`. Unset means embedded SQLite.
   */
  databaseUrl?: string;
  /**
   * A Redis connection URL (`REDIS_URL`, redis:// or rediss://): realtime fan-out, rate-limit
   * counters and schema/settings invalidation go through it so many nodes act as one.
   * Unset means in-process (one node).
   */
  redisUrl?: string;
  /** The prefix of every Redis key and channel (`PLINTH_REDIS_PREFIX`, default `plinth:`), so deployments can share one Redis. */
  redisPrefix?: string;
  /** SMTP settings pinned by `PLINTH_SMTP_*`; absent when none is set. */
  smtp?: SmtpOverride;
  /**
   * IPs and CIDR ranges of the reverse proxies in front of the node (`--trustedProxy`);
   * proxy headers such as X-Forwarded-For are believed only from these peers. Unset or
   * empty: the socket address is the client IP.
   */
  trustedProxies?: string[];
  /**
   * IPs and CIDR ranges that outbound requests may reach although they are private,
   * loopback or link-local (`--outboundAllow`, docs/outbound.md §1): webhooks, brokers,
   * `app.http.send` and OAuth2 downloads; plain http only to these. Unset: public addresses only.
   */
  outboundAllow?: string[];
  /** Seconds a client has to send a whole request, headers and body (default 300). */
  requestTimeout?: number;
  /**
   * Seconds a stopping node keeps serving with its readiness at 503 before it closes its
   * listener (`--shutdownDelay`, docs/operations.md "Deploying"), so a load balancer drains it; unset: none.
   */
  shutdownDelay?: number;
  /** Realtime streams this node holds at once; beyond it `GET /api/realtime` answers 503 (default 20,000). */
  maxRealtimeStreams?: number;
  /** Realtime streams one client IP (an IPv6 /64) may hold on this node; beyond it 429 (default 500). */
  maxRealtimeStreamsPerIp?: number;
  /**
   * The most TCP connections one client address (an IPv6 /64) may hold open
   * (`--connectionsPerIp`, default 1000; 0 = no cap). Trusted proxies are not capped.
   */
  connectionsPerIp?: number;
  /**
   * The most request-body bytes all requests together may hold in memory
   * (`--bodyMemoryLimit`, default 256 MiB); a body past it gets a 503. A lone body may
   * exceed it up to its own limit.
   */
  bodyMemoryLimit?: number;
  /**
   * The migrations folder, absolute (`--migrationsDir`, default `./plinth_migrations`): its
   * pending files are applied at start (docs/migrations.md). Unset: no migrations.
   */
  migrationsDir?: string;
  /** Whether collection changes made through the API write migration files (`--automigrate`, default: `--dev`). */
  automigrate?: boolean;
  /** How often the job worker looks for due jobs when nothing woke it, in seconds (`--jobPollInterval`, default 1). */
  jobPollInterval?: number;
  /**
   * How long a claimed job stays invisible to other workers without a heartbeat, in seconds
   * (`--jobVisibilityTimeout`, default 30): after a worker dies, its jobs run again this much later.
   */
  jobVisibilityTimeout?: number;
  /**
   * The bearer token that reads `GET /api/metrics` without a superuser session
   * (`PLINTH_METRICS_TOKEN`, docs/observability.md §1); unset: superusers only.
   */
  metricsToken?: string;
  /**
   * Absolute path of the built dashboard (dist/dashboard) served at `/_/` (docs/dashboard.md).
   * `plinth serve` sets it unless `--noDashboard`; unset (library mode): no dashboard.
   */
  dashboardDir?: string;
}

/** The defaults used when neither a flag nor an environment variable sets a value. */
export const CONFIG_DEFAULTS = {
  host: '127.0.0.1',
  port: 8090,
  /** Relative to the current working directory. */
  dir: './plinth_data',
  /** Relative to the current working directory, beside the data directory. */
  hooksDir: './plinth_hooks',
  origins: ['*'],
  dev: false,
  logLevel: 'info',
  /** NOTE: `--dev` lowers the default level to `debug`; an explicit level still wins. */
  devLogLevel: 'debug',
  bodyLimit: 32 * 1024 * 1024,
  /**
   * NOTE: on SQLite a statement runs on the event loop and every other request waits for
   * it, so the bound is low: lists that need more than 2 s are rare on the data an embedded
   * node serves, and PostgreSQL's pool of 10 connections is tied up the same way.
   */
  queryTimeout: 2,
  /** A 32 MiB body at 1 Mbit/s takes about 270 s. */
  requestTimeout: 300,
  /** Twice the 10,000 idle streams the benchmark holds in ~130 MB (about 13 KiB of RSS each). */
  maxRealtimeStreams: 20_000,
  /**
   * A browser tab holds one stream; 500 leaves room for an office or a carrier-grade NAT
   * behind one address while 40 addresses are needed to fill a node.
   */
  maxRealtimeStreamsPerIp: 500,
  /** Far above what a browser opens (6 per origin, plus realtime streams), far below a process's file limit. */
  connectionsPerIp: 1000,
  /** Eight 32 MiB bodies at once. */
  bodyMemoryLimit: 256 * 1024 * 1024,
  /** Relative to the current working directory, beside `./plinth_data`. */
  migrationsDir: './plinth_migrations',
  /** A due job waits at most this long when no commit woke the worker (one cheap query per defined job name). */
  jobPollInterval: 1,
  /** Heartbeats renew a claim every third of it, so only a stopped worker lets it lapse. */
  jobVisibilityTimeout: 30,
} as const;

/**
 * The typed configuration of one Plinth node. It is built once at start-up by
 * `loadConfig` (flags > `PLINTH_*` environment variables > defaults) and never
 * changes while the node runs.
 */

/** The pino log levels Plinth accepts, `silent` turning logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A LogLevel is one of the pino levels in LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** PlinthConfig is the validated configuration a node is built from. */
export interface PlinthConfig {
  /** Where the HTTP server listens; an IPv6 host is stored without brackets (`::1`). */
  http: { host: string; port: number };
  /** Absolute path of the data directory (database, storage). */
  dir: string;
  /** Origins allowed by CORS; `['*']` allows any, `[]` allows none. */
  origins: string[];
  /** Development mode: more verbose logs and diagnostics. */
  dev: boolean;
  logLevel: LogLevel;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Default timeout of a SELECT query, in seconds. */
  queryTimeout: number;
}

/** The defaults used when neither a flag nor an environment variable sets a value. */
export const CONFIG_DEFAULTS = {
  host: '127.0.0.1',
  port: 8090,
  /** Relative to the current working directory. */
  dir: './plinth_data',
  origins: ['*'],
  dev: false,
  logLevel: 'info',
  /** NOTE: `--dev` lowers the default level to `debug`; an explicit level still wins. */
  devLogLevel: 'debug',
  bodyLimit: 32 * 1024 * 1024,
  queryTimeout: 30,
} as const;

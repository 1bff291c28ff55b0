/**
 * Library mode (docs/hooks.md §1): `createPlinth(options)` builds a node from a
 * Node program, with the options validated exactly as `plinth serve` validates
 * its flags. Environment variables are not read: the program says what it means.
 */
import type { LogLevel } from '../config/config.js';
import { loadConfig, type ConfigFlags } from '../config/load-config.js';
import { createNode } from './create-node.js';
import type { PlinthApp } from './plinth-app.js';

/** The options of `createPlinth`; each is the `plinth serve` flag of the same name. */
export interface CreatePlinthOptions {
  /** Data directory (default `./plinth_data`, relative to `cwd`). */
  dir?: string;
  /** Hooks folder loaded at start (default `./plinth_hooks`, relative to `cwd`); `null`: none. */
  hooksDir?: string | null;
  /** Where `start()` listens unless it is given an address: `host:port` (default `127.0.0.1:8090`). */
  http?: string;
  /** PostgreSQL URL; default: SQLite in `dir`. */
  databaseUrl?: string;
  /** Redis URL for several nodes; default: in-process. */
  redisUrl?: string;
  redisPrefix?: string;
  /** CORS origins (default any). */
  origins?: string | readonly string[];
  dev?: boolean;
  logLevel?: LogLevel;
  /** Largest request body: bytes, or text such as `"10MiB"`. */
  bodyLimit?: number | string;
  /** Seconds one query may run. */
  queryTimeout?: number;
  trustedProxy?: string | readonly string[];
  /** IPs and CIDR ranges outbound requests may reach although not public (`--outboundAllow`). */
  outboundAllow?: string | readonly string[];
  requestTimeout?: number;
  maxRealtimeStreams?: number;
  maxRealtimeStreamsPerIp?: number;
  connectionsPerIp?: number;
  bodyMemoryLimit?: number | string;
  /** What relative paths are resolved against and where npm packages for hooks are found last (default `process.cwd()`). */
  cwd?: string;
}

/**
 * Builds a Plinth node: services, the built-in API and the hooks folder's plugins;
 * `app.start({ http })` listens and `app.stop()` shuts it down. A bad option throws
 * a ConfigError naming it (`--dir: …`, as the CLI reports it).
 */
export async function createPlinth(options: CreatePlinthOptions = {}): Promise<PlinthApp> {
  const { cwd = process.cwd(), hooksDir, ...rest } = options;
  const flags: ConfigFlags = {};
  for (const [name, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    flags[name] = typeof value === 'boolean' ? value : Array.isArray(value) ? value.join(',') : String(value);
  }
  if (typeof hooksDir === 'string') flags.hooksDir = hooksDir;
  const config = loadConfig(flags, {}, cwd);
  if (hooksDir === null) delete config.hooksDir;
  return createNode(config, {}, cwd);
}

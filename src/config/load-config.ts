/**
 * Builds the PlinthConfig from command-line flags, `PLINTH_*` environment
 * variables and defaults, in that order of precedence (docs/architecture.md §5).
 */
import { resolve } from 'node:path';
import { CONFIG_DEFAULTS, type LogLevel, type PlinthConfig } from './config.js';
import { ConfigError } from './config-error.js';
import {
  parseBoolean,
  parseByteSize,
  parseCap,
  parseCount,
  parseDatabaseUrl,
  parseDirectory,
  parseFolder,
  parseHostPort,
  parseRedisPrefix,
  parseRedisUrl,
  parseLogLevel,
  parseOrigins,
  parseQueryTimeout,
  parseSeconds,
  parseTrustedProxies,
  parseOutboundAllow,
  parsePort,
} from './config-values.js';
import { parseMetricsToken } from './metrics-token.js';
import { loadSmtpOverride } from './smtp-config.js';

/** The flags loadConfig understands, keyed by flag name without dashes, as `node:util` parseArgs returns them. */
export type ConfigFlags = Record<string, string | boolean | undefined>;

/** The configuration keys that can be set, each with its flag name and environment variable. */
export const CONFIG_OPTIONS = {
  http: 'PLINTH_HTTP',
  dir: 'PLINTH_DIR',
  origins: 'PLINTH_ORIGINS',
  dev: 'PLINTH_DEV',
  hooksDir: 'PLINTH_HOOKS_DIR',
  logLevel: 'PLINTH_LOG_LEVEL',
  bodyLimit: 'PLINTH_BODY_LIMIT',
  queryTimeout: 'PLINTH_QUERY_TIMEOUT',
  /** NOTE: the conventional unprefixed name (Heroku, Docker images, docs/architecture.md §1). */
  databaseUrl: 'DATABASE_URL',
  /** NOTE: unprefixed like DATABASE_URL, the name hosting platforms set. */
  redisUrl: 'REDIS_URL',
  redisPrefix: 'PLINTH_REDIS_PREFIX',
  trustedProxy: 'PLINTH_TRUSTED_PROXY',
  outboundAllow: 'PLINTH_OUTBOUND_ALLOW',
  requestTimeout: 'PLINTH_REQUEST_TIMEOUT',
  shutdownDelay: 'PLINTH_SHUTDOWN_DELAY',
  maxRealtimeStreams: 'PLINTH_MAX_REALTIME_STREAMS',
  maxRealtimeStreamsPerIp: 'PLINTH_MAX_REALTIME_STREAMS_PER_IP',
  connectionsPerIp: 'PLINTH_CONNECTIONS_PER_IP',
  bodyMemoryLimit: 'PLINTH_BODY_MEMORY_LIMIT',
  migrationsDir: 'PLINTH_MIGRATIONS_DIR',
  automigrate: 'PLINTH_AUTOMIGRATE',
  jobPollInterval: 'PLINTH_JOB_POLL_INTERVAL',
  jobVisibilityTimeout: 'PLINTH_JOB_VISIBILITY_TIMEOUT',
  metricsToken: 'PLINTH_METRICS_TOKEN',
} as const;

type OptionName = keyof typeof CONFIG_OPTIONS;

/**
 * Loads and validates the configuration; throws a ConfigError naming the flag or
 * variable of the first bad value. A relative `dir` is resolved against `cwd`.
 */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): PlinthConfig {
  for (const name of Object.keys(flags)) {
    if (!(name in CONFIG_OPTIONS) && flags[name] !== undefined) throw new ConfigError(`--${name}`, 'unknown option');
  }
  const pick = <T>(name: OptionName, parse: (raw: string, source: string) => T): T | undefined => {
    const flag = flags[name];
    if (typeof flag === 'string') return parse(flag, `--${name}`);
    if (typeof flag === 'boolean') {
      // Only switches may appear without a value; a boolean for any other option is a caller mistake.
      if (name === 'dev' || name === 'automigrate') return parse(String(flag), `--${name}`);
      throw new ConfigError(`--${name}`, 'needs a value');
    }
    const variable = CONFIG_OPTIONS[name];
    // NOTE: an empty variable counts as unset, the usual shell and Docker convention (`PLINTH_DIR=`).
    const raw = env[variable];
    if (raw !== undefined && raw !== '') return parse(raw, variable);
    return undefined;
  };

  const http = pick('http', parseHostPort) ?? portFromEnv(env) ?? { host: CONFIG_DEFAULTS.host, port: CONFIG_DEFAULTS.port };
  const dir = pick('dir', parseDirectory) ?? CONFIG_DEFAULTS.dir;
  const origins = pick('origins', parseOrigins) ?? [...CONFIG_DEFAULTS.origins];
  const dev = pick('dev', parseBoolean) ?? CONFIG_DEFAULTS.dev;
  const logLevel: LogLevel =
    pick('logLevel', parseLogLevel) ?? (dev ? CONFIG_DEFAULTS.devLogLevel : CONFIG_DEFAULTS.logLevel);
  const bodyLimit = pick('bodyLimit', parseByteSize) ?? CONFIG_DEFAULTS.bodyLimit;
  const queryTimeout = pick('queryTimeout', parseQueryTimeout) ?? CONFIG_DEFAULTS.queryTimeout;

  const databaseUrl = pick('databaseUrl', parseDatabaseUrl);

  const hooksDir = pick('hooksDir', parseFolder) ?? CONFIG_DEFAULTS.hooksDir;

  const config: PlinthConfig = { http, dir: resolve(cwd, dir), origins, dev, logLevel, bodyLimit, queryTimeout, hooksDir: resolve(cwd, hooksDir) };
  if (databaseUrl !== undefined) config.databaseUrl = databaseUrl;
  const redisUrl = pick('redisUrl', parseRedisUrl);
  if (redisUrl !== undefined) config.redisUrl = redisUrl;
  const redisPrefix = pick('redisPrefix', parseRedisPrefix);
  if (redisPrefix !== undefined) config.redisPrefix = redisPrefix;
  const trustedProxies = pick('trustedProxy', parseTrustedProxies);
  if (trustedProxies !== undefined) config.trustedProxies = trustedProxies;
  const outboundAllow = pick('outboundAllow', parseOutboundAllow);
  if (outboundAllow !== undefined) config.outboundAllow = outboundAllow;
  const requestTimeout = pick('requestTimeout', parseSeconds);
  if (requestTimeout !== undefined) config.requestTimeout = requestTimeout;
  const shutdownDelay = pick('shutdownDelay', parseSeconds);
  if (shutdownDelay !== undefined) config.shutdownDelay = shutdownDelay;
  const maxRealtimeStreams = pick('maxRealtimeStreams', parseCount);
  if (maxRealtimeStreams !== undefined) config.maxRealtimeStreams = maxRealtimeStreams;
  const maxRealtimeStreamsPerIp = pick('maxRealtimeStreamsPerIp', parseCount);
  if (maxRealtimeStreamsPerIp !== undefined) config.maxRealtimeStreamsPerIp = maxRealtimeStreamsPerIp;
  const connectionsPerIp = pick('connectionsPerIp', parseCap);
  if (connectionsPerIp !== undefined) config.connectionsPerIp = connectionsPerIp;
  const bodyMemoryLimit = pick('bodyMemoryLimit', parseByteSize);
  if (bodyMemoryLimit !== undefined) config.bodyMemoryLimit = bodyMemoryLimit;
  config.migrationsDir = resolve(cwd, pick('migrationsDir', parseFolder) ?? CONFIG_DEFAULTS.migrationsDir);
  config.automigrate = pick('automigrate', parseBoolean) ?? dev;
  // Decimals allowed (0.2), as for --queryTimeout: tests shorten both to see a dead worker's job come back.
  const jobPollInterval = pick('jobPollInterval', parseQueryTimeout);
  if (jobPollInterval !== undefined) config.jobPollInterval = jobPollInterval;
  const jobVisibilityTimeout = pick('jobVisibilityTimeout', parseQueryTimeout);
  if (jobVisibilityTimeout !== undefined) config.jobVisibilityTimeout = jobVisibilityTimeout;
  const metricsToken = pick('metricsToken', parseMetricsToken);
  if (metricsToken !== undefined) config.metricsToken = metricsToken;
  const smtp = loadSmtpOverride(env);
  if (smtp) config.smtp = smtp;
  return config;
}

/**
 * The address for `PORT` (docs/configuration.md, "Where values come from"), which platforms such as Heroku, Cloud Run
 * and Render set for the one port they route to: every IPv4 interface, since the
 * platform's router reaches the process from outside its loopback. `--http` and
 * `PLINTH_HTTP` win over it.
 */
function portFromEnv(env: NodeJS.ProcessEnv): { host: string; port: number } | undefined {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return undefined;
  return { host: '0.0.0.0', port: parsePort(raw, 'PORT') };
}

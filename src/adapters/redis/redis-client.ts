/**
 * Opens ioredis connections with the options every Redis adapter shares: commands
 * fail fast while the server is unreachable (a 503, never a hung request) and the
 * connection comes back by itself when the server does.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../config/config-error.js';
import { connectFailureReason, redactUrlPassword } from '../../config/config-values.js';
import { unavailable } from '../../errors/service-unavailable.js';

/** Where a node's Redis is and how its keys are namespaced. */
export interface RedisTarget {
  /** The redis:// or rediss:// URL. */
  url: string;
  /** Prefix of every key and channel this node touches (e.g. `plinth:`). */
  prefix: string;
  /** The setting that named the URL, for start-up messages (`REDIS_URL`). */
  source?: string;
}

/** How long one command may take before it fails (the request then answers 503). */
const COMMAND_TIMEOUT_MS = 2_000;
/** How long the first connection may take at start-up. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens a connected client, or throws a ConfigError naming the setting and the reason
 * (docs/architecture.md §5: a bad setting stops the start). `name` shows in Redis's CLIENT LIST.
 */
export async function openRedis(target: RedisTarget, name: string, extra: RedisOptions = {}): Promise<Redis> {
  let lastError: unknown;
  const client = new Redis(target.url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // NOTE: without these two, a command issued while Redis is down waits in a queue
    // until it comes back, and the HTTP request hangs with it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Reconnect forever, at most a second apart, so a node recovers without a restart.
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    ...extra,
  });
  // An 'error' event without a listener would crash the process; the state is tracked through the commands instead.
  client.on('error', (err) => (lastError = err));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new ConfigError(target.source ?? 'REDIS_URL', `cannot connect to Redis at ${describeRedisUrl(target.url)}: ${connectFailureReason(lastError ?? err)}`);
  }
  return client;
}

/**
 * Runs one Redis call and turns a connection failure (refused, closed, timed out, not
 * writeable) into the 503 AppError of a service that is temporarily down.
 */
export async function redisCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // A reply error (WRONGTYPE, NOSCRIPT…) is a bug, not an outage: it stays a 500.
    if (err instanceof Error && err.name === 'ReplyError') throw err;
    throw unavailable(err);
  }
}

/** `host:port/db` of a Redis URL, without credentials. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return redactUrlPassword(url);
  }
}


/**
 * Parsers for single configuration values. Each takes the raw text and the name
 * of its source (`--http`, `PLINTH_HTTP`) and returns the typed value or throws a
 * ConfigError that names the source and says why the value is refused.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { LOG_LEVELS, type LogLevel } from './config.js';
import { ConfigError } from './config-error.js';
import { isIpOrCidr } from '../tools/ip-list.js';

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/([^/\s?#@]+)$/i;
const BYTE_SIZE = /^(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** NOTE: setTimeout overflows past 2^31-1 ms, so a longer timeout would fire at once. */
const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Parses `HOST:PORT`, with an IPv6 host in brackets (`[::1]:8090`); the host is returned unbracketed. */
export function parseHostPort(raw: string, source: string): { host: string; port: number } {
  const shown = JSON.stringify(raw);
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(raw);
  let host: string;
  let port: string;
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2];
    if (!isIPv6(host)) throw new ConfigError(source, `${shown}: "${host}" in brackets is not an IPv6 address`);
  } else {
    const colon = raw.lastIndexOf(':');
    if (colon < 0) throw new ConfigError(source, `${shown} is not HOST:PORT (e.g. 127.0.0.1:8090)`);
    host = raw.slice(0, colon);
    port = raw.slice(colon + 1);
    if (host === '') {
      throw new ConfigError(source, `${shown} has no host; use 0.0.0.0:${port || 'PORT'} to listen on every interface`);
    }
    if (host.includes(':')) {
      throw new ConfigError(source, `${shown}: an IPv6 host must be in brackets, e.g. [::1]:8090`);
    }
    const looksNumeric = /^[\d.]+$/.test(host);
    if (looksNumeric ? !isIPv4(host) : !HOSTNAME.test(host)) {
      throw new ConfigError(source, `${shown}: "${host}" is not a valid host name or IP address`);
    }
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new ConfigError(source, `${shown}: port "${port}" is not a number between 0 and 65535`);
  }
  return { host, port: Number(port) };
}

/**
 * Parses a comma-separated list of CORS origins. `*` alone allows any origin; an
 * empty list allows none. Origins are `scheme://host[:port]`, lower-cased, without
 * a trailing slash, because browsers send them that way and CORS compares exactly.
 */
export function parseOrigins(raw: string, source: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.includes('*')) {
    if (items.length > 1) throw new ConfigError(source, '"*" allows every origin and cannot be combined with others');
    return ['*'];
  }
  const origins: string[] = [];
  for (const item of items) {
    const match = ORIGIN.exec(item.endsWith('/') ? item.slice(0, -1) : item);
    if (!match) {
      throw new ConfigError(source, `"${item}" is not an origin like https://example.com or http://localhost:5173`);
    }
    if (match[2].includes('*')) {
      throw new ConfigError(source, `"${item}": wildcards inside an origin are not supported; list each origin or use "*"`);
    }
    const origin = `${match[1]}://${match[2]}`.toLowerCase();
    if (!origins.includes(origin)) origins.push(origin);
  }
  return origins;
}

/** Parses a boolean written as true/false, 1/0, yes/no or on/off. */
export function parseBoolean(raw: string, source: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(source, `"${raw}" is not a boolean (true or false)`);
}

/** Parses a pino log level. */
export function parseLogLevel(raw: string, source: string): LogLevel {
  const value = raw.trim().toLowerCase();
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new ConfigError(source, `"${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** Parses a positive size in bytes, optionally with a unit K, M or G (powers of 1024, `KB`/`KiB` alike). */
export function parseByteSize(raw: string, source: string): number {
  const match = BYTE_SIZE.exec(raw.trim());
  const bytes = match ? Number(match[1]) * UNIT_BYTES[(match[2] ?? 'b')[0].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new ConfigError(source, `"${raw}" is not a positive size in bytes (e.g. 33554432 or 32MiB)`);
  }
  return bytes;
}

/** Parses a whole number of seconds, at least 1. */
export function parseSeconds(raw: string, source: string): number {
  const value = raw.trim();
  const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new ConfigError(source, `"${raw}" is not a whole number of seconds between 1 and ${MAX_TIMEOUT_SECONDS}`);
  }
  return seconds;
}

/** The largest count a limit accepts: beyond it a limit is no limit, and a typo (an extra zero) is likelier. */
const MAX_COUNT = 10_000_000;

function parseWholeNumber(raw: string, source: string, min: number): number {
  const value = raw.trim();
  const count = /^\d{1,8}$/.test(value) ? Number(value) : NaN;
  if (!(count >= min && count <= MAX_COUNT)) {
    throw new ConfigError(source, `"${raw}" is not a whole number between ${min} and ${MAX_COUNT}`);
  }
  return count;
}

/** Parses a whole number of things (streams, clients), at least 1. */
export function parseCount(raw: string, source: string): number {
  return parseWholeNumber(raw, source, 1);
}

/** Parses a cap on a count of things, where 0 means "no cap". */
export function parseCap(raw: string, source: string): number {
  return parseWholeNumber(raw, source, 0);
}

/** The shortest query timeout accepted, in seconds (PostgreSQL's statement_timeout counts whole milliseconds). */
const MIN_QUERY_TIMEOUT_SECONDS = 0.01;

/** Parses a number of seconds that may have decimals (`2`, `0.5`), from 0.01 up to the longest timer Node can set. */
export function parseQueryTimeout(raw: string, source: string): number {
  const value = raw.trim();
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= MIN_QUERY_TIMEOUT_SECONDS && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new ConfigError(source, `"${raw}" is not a number of seconds between ${MIN_QUERY_TIMEOUT_SECONDS} and ${MAX_TIMEOUT_SECONDS} (decimals allowed, e.g. 0.5)`);
  }
  return seconds;
}

/** Parses a directory path, refusing an empty one. */
export function parseDirectory(raw: string, source: string): string {
  if (raw.trim() === '') throw new ConfigError(source, 'the data directory must not be empty');
  return raw;
}

/** Parses the path of a folder of user files (hooks, migrations), refusing an empty one. */
export function parseFolder(raw: string, source: string): string {
  if (raw.trim() === '') throw new ConfigError(source, 'the folder must not be empty');
  return raw;
}

/**
 * Parses a PostgreSQL connection URL (`postgres://` or `postgresql://`, with a
 * host). SECURITY: the refused value is shown with its password masked, since
 * start-up errors end up in logs.
 */
export function parseDatabaseUrl(raw: string, source: string): string {
  const example = 'postgres://USER:PASSWORD@HOST:5432/DATABASE';
  const { value, url, shown } = parseServiceUrl(raw, source, example, ['postgres:', 'postgresql:'],
    `only PostgreSQL is supported (postgres:// or postgresql://, e.g. ${example})`);
  // NOTE: `postgres:///db?host=/run/postgresql` (a Unix socket) has no URL host but names one in the query.
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new ConfigError(source, `${shown} names no host (e.g. ${example})`);
  }
  return value;
}

/**
 * Parses a Redis connection URL (`redis://` or `rediss://` for TLS, with a host and an
 * optional database number as the path). SECURITY: the password is masked in messages.
 */
export function parseRedisUrl(raw: string, source: string): string {
  const example = 'redis://:PASSWORD@HOST:6379/0';
  const { value, url, shown } = parseServiceUrl(raw, source, example, ['redis:', 'rediss:'],
    `only redis:// or rediss:// (TLS) URLs are supported, e.g. ${example}`);
  if (url.hostname === '') throw new ConfigError(source, `${shown} names no host (e.g. ${example})`);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) {
    throw new ConfigError(source, `${shown}: the path "/${db}" is not a database number (e.g. /0)`);
  }
  return value;
}

/**
 * What the service URL parsers share: the value must parse as a URL of one of
 * `protocols` (else `protocolReason`), with a port in range. Returns the trimmed
 * value, the URL, and the value as shown in messages (password masked).
 */
function parseServiceUrl(raw: string, source: string, example: string, protocols: readonly string[], protocolReason: string): { value: string; url: URL; shown: string } {
  const value = raw.trim();
  const shown = JSON.stringify(redactUrlPassword(value));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(source, `${shown} is not a URL like ${example}`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(source, `${shown}: ${protocolReason}`);
  if (url.port !== '' && !(Number(url.port) >= 1 && Number(url.port) <= 65535)) {
    throw new ConfigError(source, `${shown}: port "${url.port}" is not a number between 1 and 65535`);
  }
  return { value, url, shown };
}

/** Parses the Redis key prefix: 1–64 printable ASCII characters without spaces. */
export function parseRedisPrefix(raw: string, source: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(raw)) {
    throw new ConfigError(source, `${JSON.stringify(raw)} is not 1 to 64 printable characters without spaces (e.g. plinth:)`);
  }
  return raw;
}

/** A connection URL with its password replaced by `***`, for messages and logs. */
export function redactUrlPassword(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, '$1***@');
}

/** Why a connection to a backing service (PostgreSQL, Redis) failed, for a start-up message; passwords redacted. */
export function connectFailureReason(err: unknown): string {
  // NOTE: a refused connection to a name with several addresses is an AggregateError with an empty message.
  if (err instanceof AggregateError && err.errors.length > 0 && !err.message) err = err.errors[0];
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  // e.g. ECONNREFUSED carries its code in the message already; 28P01 (bad password) does not.
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  return redactUrlPassword(message) + code;
}

/**
 * Parses a comma-separated list of trusted proxy IPs and CIDR ranges
 * (`10.0.0.0/8,::1`); `*` alone trusts every peer, for hosts whose proxy addresses are
 * unknown (then the proxy must be the only way in).
 */
export function parseTrustedProxies(raw: string, source: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.includes('*')) {
    if (items.length > 1) throw new ConfigError(source, '"*" trusts every peer and cannot be combined with others');
    return ['*'];
  }
  for (const item of items) {
    if (!isIpOrCidr(item)) throw new ConfigError(source, `"${item}" is not an IP address or CIDR range (e.g. 10.0.0.1 or 10.0.0.0/8)`);
  }
  return [...new Set(items)];
}

/**
 * Parses `--outboundAllow`: a comma-separated list of IPs and CIDR ranges, IPv4 or IPv6
 * (`127.0.0.0/8,10.1.0.0/16,fd00::/8`), that outbound requests may reach although they are
 * not public. SECURITY: no wildcard: allowing everything must be spelled out
 * (`0.0.0.0/0,::/0`), since it opens the metadata service and the host itself.
 */
export function parseOutboundAllow(raw: string, source: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    if (!isIpOrCidr(item)) throw new ConfigError(source, `"${item}" is not an IP address or CIDR range (e.g. 10.0.0.0/8 or fd00::/8)`);
  }
  return [...new Set(items)];
}

/** Parses `PORT`, the variable hosting platforms set: a whole number from 1 to 65535. */
export function parsePort(raw: string, source: string): number {
  const value = raw.trim();
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new ConfigError(source, `"${raw}" is not a port number between 1 and 65535`);
  return port;
}

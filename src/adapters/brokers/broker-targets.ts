/**
 * Broker target URLs (docs/outbound.md §2): `amqp://user:pass@host:5672/vhost?exchange=NAME`
 * and `nats://[user:pass@|token@]host:4222?stream=NAME`, parsed into what a publisher
 * connects with. Parsed with plain string code: the URL comes from an API request.
 */

/** The exchange events go to unless the target names another. */
export const DEFAULT_EXCHANGE = 'plinth.events';
/** The JetStream stream events go to unless the target names another. */
export const DEFAULT_STREAM = 'PLINTH_EVENTS';
/** The subjects of a stream Plinth creates. */
export const STREAM_SUBJECTS = ['plinth.>'];

/** A RabbitMQ target. */
export interface AmqpTarget {
  kind: 'amqp';
  /** The URL amqplib connects with: the target without Plinth's own `exchange` parameter. */
  connectUrl: string;
  exchange: string;
  /** The host as connected to (IPv6 without brackets) and its port. */
  host: string;
  port: number;
  /** `host:port`, for error messages (never the credentials). */
  where: string;
}

/** A NATS JetStream target. */
export interface NatsTarget {
  kind: 'nats';
  /** `host:port` (IPv6 in brackets), the server nats.js connects to. */
  server: string;
  host: string;
  stream: string;
  user?: string;
  pass?: string;
  token?: string;
  where: string;
}

/** A parsed target, or why the URL cannot be one. */
export type ParsedTarget = { ok: true; target: AmqpTarget | NatsTarget } | { ok: false; problem: string };

/** The parameters amqplib reads from a URL's query, besides Plinth's `exchange`. */
const AMQP_PARAMS = new Set(['exchange', 'heartbeat', 'frameMax', 'channelMax', 'locale', 'maxFrameSize']);

/** Parses an `amqp://`, `amqps://` or `nats://` target URL. */
export function parseBrokerTarget(raw: string): ParsedTarget {
  if (!URL.canParse(raw)) return { ok: false, problem: 'invalid URL' };
  const url = new URL(raw);
  if (url.hostname === '') return { ok: false, problem: 'the URL names no host' };
  if (url.hash !== '') return { ok: false, problem: 'a broker URL has no #fragment' };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  switch (url.protocol) {
    case 'amqp:':
    case 'amqps:':
      return parseAmqp(url, host);
    case 'nats:':
      return parseNats(url, host);
    default:
      return { ok: false, problem: `unsupported scheme ${url.protocol} (amqp, amqps or nats)` };
  }
}

function parseAmqp(url: URL, host: string): ParsedTarget {
  for (const name of url.searchParams.keys()) {
    if (!AMQP_PARAMS.has(name)) return { ok: false, problem: `unknown parameter "${name}" (exchange, heartbeat, frameMax, channelMax, locale or maxFrameSize)` };
  }
  const exchange = url.searchParams.get('exchange') ?? DEFAULT_EXCHANGE;
  const problem = exchangeNameProblem(exchange);
  if (problem) return { ok: false, problem };
  const port = url.port === '' ? (url.protocol === 'amqp:' ? 5672 : 5671) : Number(url.port);
  const connect = new URL(url.toString());
  connect.searchParams.delete('exchange');
  const where = `${url.hostname}:${port}`;
  return { ok: true, target: { kind: 'amqp', connectUrl: connect.toString(), exchange, host, port, where } };
}

function parseNats(url: URL, host: string): ParsedTarget {
  if (url.pathname !== '' && url.pathname !== '/') return { ok: false, problem: 'a nats:// URL has no path' };
  for (const name of url.searchParams.keys()) {
    if (name !== 'stream') return { ok: false, problem: `unknown parameter "${name}" (stream)` };
  }
  const stream = url.searchParams.get('stream') ?? DEFAULT_STREAM;
  const problem = streamNameProblem(stream);
  if (problem) return { ok: false, problem };
  const port = url.port === '' ? 4222 : Number(url.port);
  const where = `${url.hostname}:${port}`;
  const target: NatsTarget = { kind: 'nats', server: where, host, stream, where };
  const user = decodeOrNull(url.username);
  const pass = decodeOrNull(url.password);
  if (user === null || pass === null) return { ok: false, problem: 'the credentials are not valid percent-encoding' };
  // A user name alone is a token, as in NATS's own URLs (nats://TOKEN@host).
  if (pass !== '') Object.assign(target, { user, pass });
  else if (user !== '') target.token = user;
  return { ok: true, target };
}

/** Why `name` cannot be an exchange Plinth declares, or null (AMQP 0-9-1 names, not `amq.*`). */
function exchangeNameProblem(name: string): string | null {
  if (name.length < 1 || name.length > 255) return 'the exchange name must be 1 to 255 characters';
  for (const ch of name) {
    const ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === '-' || ch === '_' || ch === '.' || ch === ':';
    if (!ok) return `the exchange name "${name}" may hold only letters, digits, "-", "_", "." and ":"`;
  }
  if (name.startsWith('amq.')) return 'exchange names starting with "amq." are reserved by RabbitMQ';
  return null;
}

/** Why `name` cannot be a JetStream stream name, or null (no whitespace, ".", "*", ">", "/", "\"). */
function streamNameProblem(name: string): string | null {
  if (name.length < 1 || name.length > 255) return 'the stream name must be 1 to 255 characters';
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code <= 0x20 || code >= 0x7f || '.*>/\\'.includes(ch)) return `the stream name "${name}" may not hold spaces, ".", "*", ">", "/" or "\\"`;
  }
  return null;
}

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

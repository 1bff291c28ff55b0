/**
 * Outbound HTTP to URLs that someone else chose (an OAuth2 provider's avatar
 * URL, and webhooks next): https only, the peer's address checked when the
 * socket connects — so a DNS answer that changes between a check and the
 * connection (rebinding) cannot slip through — redirects followed by hand with
 * every hop checked again, and the answer bounded in time, size and type.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { isLoopbackAddress, refusedAddressReason } from './outbound-address.js';

// NOTE: not undici: importing the `undici` package (v7) installs its Agent as the process-wide
// dispatcher that Node 20's own fetch then uses, and breaks every other fetch of the process
// (arctic's token requests fail with "invalid content-length header"). node:http takes a
// `lookup` and exposes the socket, which is all the guard needs.

/** A request the guard refused (scheme, address, redirect, type or size), or that failed. */
export class OutboundRequestError extends Error {
  override readonly name = 'OutboundRequestError';
}

/** The bounds of one outbound GET. */
export interface OutboundLimits {
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  /** The time the whole exchange may take, redirects and body included. */
  timeoutMs: number;
  /** Redirects followed before giving up (default 3). */
  maxRedirects?: number;
  /** Whether the answer's media type (lower case, without parameters) is wanted. */
  acceptType?: (mediaType: string) => boolean;
}

/** A successful answer. */
export interface OutboundResponse {
  /** The URL that answered, after redirects. */
  url: string;
  mediaType: string;
  body: Buffer;
}

/** One request of app code (`app.http.send`): any method, headers and body; the answer's status is returned, not judged. */
export interface OutboundRequest {
  url: string;
  /** GET by default. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The time the whole exchange may take. */
  timeoutMs: number;
  /** The largest answer body accepted, in bytes. */
  maxBytes: number;
}

/** The answer to an OutboundRequest. */
export interface OutboundReply {
  statusCode: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

/** DNS resolution as `dns.lookup` does it with `all: true`. */
export type ResolveAll = (hostname: string, callback: (err: Error | null, addresses: LookupAddress[]) => void) => void;

const defaultResolve: ResolveAll = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** How long a connection may stay silent (connecting included) before it is dropped. */
const IDLE_TIMEOUT_MS = 10_000;

/**
 * An OutboundHttp fetches URLs chosen by others without letting them reach this
 * host or its networks. Build it with `publicOnly()`; tests that serve fakes on
 * loopback use `allowingLoopbackForTests()`. It holds no connections.
 */
export class OutboundHttp {
  private readonly lookup: LookupFunction;

  private constructor(private readonly allows: (address: string) => boolean, private readonly schemes: ReadonlySet<string>, resolve: ResolveAll) {
    this.lookup = guardedLookup(resolve, allows);
  }

  /** The production guard: https to public addresses only. */
  static publicOnly(resolve: ResolveAll = defaultResolve): OutboundHttp {
    return new OutboundHttp((address) => refusedAddressReason(address) === null, new Set(['https:']), resolve);
  }

  /**
   * A guard for test suites whose fake servers listen on loopback over plain http: it
   * also allows http and loopback addresses, and still refuses every other range.
   * SECURITY: no setting, flag or environment variable reaches this; only code that
   * builds a node itself (test helpers) can pass one in (PlinthOptions.outbound).
   */
  static allowingLoopbackForTests(resolve: ResolveAll = defaultResolve): OutboundHttp {
    return new OutboundHttp((address) => refusedAddressReason(address) === null || isLoopbackAddress(address), new Set(['https:', 'http:']), resolve);
  }

  /** GETs `url` within `limits`, following redirects that stay allowed; throws OutboundRequestError otherwise. */
  async get(url: string, limits: OutboundLimits): Promise<OutboundResponse> {
    const signal = AbortSignal.timeout(limits.timeoutMs);
    const maxRedirects = limits.maxRedirects ?? 3;
    let current = this.checkURL(url);
    for (let hop = 0; ; hop++) {
      const res = await this.send(current, signal);
      const location = header(res.headers.location);
      if (REDIRECTS.has(res.statusCode ?? 0) && location !== '') {
        res.destroy();
        if (hop >= maxRedirects) throw new OutboundRequestError(`more than ${maxRedirects} redirects`);
        if (!URL.canParse(location, current.toString())) throw new OutboundRequestError('invalid redirect location');
        current = this.checkURL(new URL(location, current).toString());
        continue;
      }
      try {
        return await readAnswer(current, res, limits);
      } catch (err) {
        throw err instanceof OutboundRequestError ? err : new OutboundRequestError(`reading from ${current.host} failed: ${describe(err)}`, { cause: err });
      } finally {
        res.destroy();
      }
    }
  }

  /**
   * Sends one request of app code within its timeout and size bound and returns the answer
   * whatever its status; redirects are returned, not followed. Throws OutboundRequestError
   * for a refused URL or address, a timeout, a body over the bound or a failed connection.
   */
  async request(r: OutboundRequest): Promise<OutboundReply> {
    const url = this.checkURL(r.url);
    const signal = AbortSignal.timeout(r.timeoutMs);
    const method = (r.method ?? 'GET').toUpperCase();
    const res = await this.send(url, signal, { method, headers: r.headers, body: r.body });
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > r.maxBytes) throw new OutboundRequestError(`body over ${r.maxBytes} bytes`);
        chunks.push(chunk as Buffer);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      return { statusCode: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) };
    } catch (err) {
      throw err instanceof OutboundRequestError ? err : new OutboundRequestError(`reading from ${url.host} failed: ${describe(err)}`, { cause: err });
    } finally {
      res.destroy();
    }
  }

  /** Sends one request (GET unless told) on a fresh connection (no pooling: every connection is checked anew). */
  private send(url: URL, signal: AbortSignal, what: { method: string; headers?: Record<string, string>; body?: string | Uint8Array } = { method: 'GET' }): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: what.method, agent: false, lookup: this.lookup, signal, timeout: IDLE_TIMEOUT_MS,
        headers: { 'user-agent': 'plinth', accept: '*/*', ...what.headers },
      }, resolve);
      req.on('socket', (socket: Socket) => {
        // SECURITY: the address actually connected to is the one that counts; this backs up
        // the lookup check and the IP-literal check of checkURL.
        socket.once('connect', () => {
          const peer = socket.remoteAddress ?? '';
          if (!this.allows(peer)) req.destroy(new OutboundRequestError(`refused address ${peer}: ${refusedAddressReason(peer) ?? 'not allowed'}`));
        });
      });
      req.on('timeout', () => req.destroy(new OutboundRequestError(`${url.host} was silent for ${IDLE_TIMEOUT_MS} ms`)));
      req.on('error', (err) => reject(err instanceof OutboundRequestError ? err : new OutboundRequestError(`request to ${url.host} failed: ${describe(err)}`, { cause: err })));
      req.end(what.body);
    });
  }

  /** The URL when its scheme is allowed and its host is not a refused IP literal. */
  private checkURL(raw: string): URL {
    if (!URL.canParse(raw)) throw new OutboundRequestError('invalid URL');
    const url = new URL(raw);
    if (!this.schemes.has(url.protocol)) throw new OutboundRequestError(`refused scheme ${url.protocol}`);
    if (url.username !== '' || url.password !== '') throw new OutboundRequestError('refused URL with credentials');
    // NOTE: WHATWG URL parsing already turned 0x7f.1, 2130706433 and the like into 127.0.0.1;
    // an IP literal never goes through the lookup, so it is checked here.
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0 && !this.allows(host)) throw new OutboundRequestError(`refused address ${host}: ${refusedAddressReason(host)}`);
    return url;
  }
}

async function readAnswer(url: URL, res: IncomingMessage, limits: OutboundLimits): Promise<OutboundResponse> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) throw new OutboundRequestError(`status ${status}`);
  const mediaType = header(res.headers['content-type']).split(';')[0]!.trim().toLowerCase();
  if (limits.acceptType && !limits.acceptType(mediaType)) throw new OutboundRequestError(`refused content type ${mediaType || '(none)'}`);
  const declared = Number(header(res.headers['content-length']) || NaN);
  if (declared > limits.maxBytes) throw new OutboundRequestError(`body of ${declared} bytes is over ${limits.maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limits.maxBytes) throw new OutboundRequestError(`body over ${limits.maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return { url: url.toString(), mediaType, body: Buffer.concat(chunks) };
}

/**
 * A `lookup` for net/tls.connect that resolves every address of the host and refuses
 * the host when any of them is not allowed.
 */
function guardedLookup(resolve: ResolveAll, allows: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !allows(a.address));
      if (refused || addresses.length === 0) {
        const reason = refused ? `${refused.address}: ${refusedAddressReason(refused.address) ?? 'not allowed'}` : 'no address';
        return callback(new OutboundRequestError(`refused ${hostname} (${reason})`), '', 0);
      }
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (wanted.length === 0) return callback(new OutboundRequestError(`no IPv${options.family} address for ${hostname}`), '', 0);
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, wanted);
      return callback(null, wanted[0]!.address, wanted[0]!.family);
    });
  };
}

function header(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value[0] ?? '' : value ?? '';
}

function describe(err: unknown): string {
  if (err instanceof OutboundRequestError) return err.message;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof OutboundRequestError) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

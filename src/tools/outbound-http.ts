/**
 * Outbound HTTP to URLs that someone else chose (an OAuth2 provider's avatar
 * URL, `app.http.send`, webhooks): https to public addresses, plus the ranges of
 * `--outboundAllow` where plain http goes too (docs/outbound.md §1). The peer's
 * address is checked by the OutboundPolicy when the socket connects — so a DNS
 * answer that changes between a check and the connection (rebinding) cannot slip
 * through — redirects are followed by hand with every hop checked again, and the
 * answer is bounded in time, size and type.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { OutboundPolicy, OutboundRefusal, type ResolveAll } from './outbound-policy.js';
import { CLIENT_SPAN, inSpan, tracing } from './tracing.js';

export type { ResolveAll } from './outbound-policy.js';

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

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** How long a connection may stay silent (connecting included) before it is dropped. */
const IDLE_TIMEOUT_MS = 10_000;

/**
 * An OutboundHttp fetches URLs chosen by others without letting them reach this
 * host or its networks, except the ranges its OutboundPolicy allows. It holds no
 * connections.
 */
export class OutboundHttp {
  constructor(readonly policy: OutboundPolicy = new OutboundPolicy()) {}

  /** The default guard: https to public addresses only. */
  static publicOnly(resolve?: ResolveAll): OutboundHttp {
    return new OutboundHttp(new OutboundPolicy([], resolve));
  }

  /** A guard that also allows `ranges` (IPs and CIDRs, as `--outboundAllow` takes them), plain http included. */
  static allowing(ranges: readonly string[], resolve?: ResolveAll): OutboundHttp {
    return new OutboundHttp(new OutboundPolicy(ranges, resolve));
  }

  /**
   * The guard of test suites whose fake servers listen on loopback over plain http:
   * `--outboundAllow=127.0.0.0/8,::1/128`.
   */
  static allowingLoopbackForTests(resolve?: ResolveAll): OutboundHttp {
    return OutboundHttp.allowing(['127.0.0.0/8', '::1/128'], resolve);
  }

  /**
   * Why a target URL must not be saved (a webhook, a broker), or null: its scheme and
   * every address its host resolves to now (see OutboundPolicy.checkTarget).
   */
  checkTarget(url: string): Promise<string | null> {
    return this.policy.checkTarget(url);
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
      const body = await readBody(res, r.maxBytes);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      return { statusCode: res.statusCode ?? 0, headers, body };
    } catch (err) {
      throw err instanceof OutboundRequestError ? err : new OutboundRequestError(`reading from ${url.host} failed: ${describe(err)}`, { cause: err });
    } finally {
      res.destroy();
    }
  }

  /** Sends one request (GET unless told) on a fresh connection (no pooling: every connection is checked anew). */
  private send(url: URL, signal: AbortSignal, what: { method: string; headers?: Record<string, string>; body?: string | Uint8Array } = { method: 'GET' }): Promise<IncomingMessage> {
    // A client span until the answer's head arrives (docs/observability.md §3); never the URL's path or query.
    const tracer = tracing.tracer;
    if (tracer) {
      const attributes = { 'http.request.method': what.method, 'server.address': url.hostname, 'url.scheme': url.protocol.slice(0, -1) };
      return inSpan(tracer, `HTTP ${what.method}`, attributes, () => this.sendNow(url, signal, what), CLIENT_SPAN);
    }
    return this.sendNow(url, signal, what);
  }

  private sendNow(url: URL, signal: AbortSignal, what: { method: string; headers?: Record<string, string>; body?: string | Uint8Array }): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const plaintext = url.protocol === 'http:';
      const req = send(url, {
        method: what.method, agent: false, lookup: this.policy.lookup(plaintext), signal, timeout: IDLE_TIMEOUT_MS,
        headers: { 'user-agent': 'plinth', accept: '*/*', ...what.headers },
      }, resolve);
      req.on('socket', (socket: Socket) => {
        // SECURITY: the address actually connected to is the one that counts; this backs up
        // the lookup check and the IP-literal check of checkURL.
        socket.once('connect', () => {
          const peer = socket.remoteAddress ?? '';
          const refused = this.policy.refusedAddress(peer, plaintext);
          if (refused !== null) req.destroy(new OutboundRequestError(`refused address ${peer}: ${refused}`));
        });
      });
      req.on('timeout', () => req.destroy(new OutboundRequestError(`${url.host} was silent for ${IDLE_TIMEOUT_MS} ms`)));
      req.on('error', (err) => {
        if (err instanceof OutboundRequestError) return reject(err);
        if (err instanceof OutboundRefusal) return reject(new OutboundRequestError(err.message));
        reject(new OutboundRequestError(`request to ${url.host} failed: ${describe(err)}`, { cause: err }));
      });
      req.end(what.body);
    });
  }

  /** The URL when its scheme is allowed and its host is not a refused IP literal. */
  private checkURL(raw: string): URL {
    if (!URL.canParse(raw)) throw new OutboundRequestError('invalid URL');
    const url = new URL(raw);
    const plaintext = url.protocol === 'http:';
    // NOTE: without allowed ranges plain http could never connect: refused before any lookup.
    if (url.protocol !== 'https:' && !(plaintext && this.policy.allowsPlaintext)) throw new OutboundRequestError(`refused scheme ${url.protocol}`);
    if (url.username !== '' || url.password !== '') throw new OutboundRequestError('refused URL with credentials');
    // NOTE: WHATWG URL parsing already turned 0x7f.1, 2130706433 and the like into 127.0.0.1;
    // an IP literal never goes through the lookup, so it is checked here.
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const refused = isIP(host) === 0 ? null : this.policy.refusedAddress(host, plaintext);
    if (refused !== null) throw new OutboundRequestError(`refused address ${host}: ${refused}`);
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
  return { url: url.toString(), mediaType, body: await readBody(res, limits.maxBytes) };
}

/** Reads an answer's body, refusing it as soon as it grows past `maxBytes`. */
async function readBody(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new OutboundRequestError(`body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function header(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value[0] ?? '' : value ?? '';
}

function describe(err: unknown): string {
  if (err instanceof OutboundRequestError || err instanceof OutboundRefusal) return err.message;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof OutboundRequestError || cause instanceof OutboundRefusal) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

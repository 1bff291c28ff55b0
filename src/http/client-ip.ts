/**
 * The client's IP address, for rate limits, `superuserIPs` and health's `realIP`
 * (docs/api.md §1.2, §1.9, §9). Proxy headers are believed only from a trusted proxy.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IpList, normalizeIp } from '../tools/ip-list.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client IP computed once per request; read it through clientIp(). */
    plinthClientIp: string;
  }
}

/** The settings part that names the proxy headers (docs/api.md §9 `trustedProxy`). */
export interface TrustedProxySettings {
  headers: string[];
  useLeftmostIP: boolean;
}

/** Options of registerClientIp. */
export interface ClientIpOptions {
  /** IPs and CIDR ranges of the proxies in front of Plinth (`--trustedProxy`); `*` trusts every peer. */
  trustedProxies: readonly string[];
  /** The current `trustedProxy` settings. */
  settings: () => TrustedProxySettings;
}

/** The header read from a trusted proxy when the settings name none. */
const DEFAULT_PROXY_HEADER = 'x-forwarded-for';

/** Headers that suggest a proxy in front of the server, for health's `possibleProxyHeader`. */
const COMMON_PROXY_HEADERS = ['CF-Connecting-IP', 'Fly-Client-IP', 'X-Real-IP', 'X-Forwarded-For'];

/**
 * Computes each request's client IP first thing, so every later hook and handler sees
 * the same value through clientIp().
 */
export function registerClientIp(app: FastifyInstance, options: ClientIpOptions): void {
  const trusted = new IpList(options.trustedProxies);
  app.decorateRequest('plinthClientIp', '');
  app.addHook('onRequest', (request, _reply, done) => {
    request.plinthClientIp = resolveClientIp(request, trusted, options.settings());
    done();
  });
}

/** The client IP of a request (the socket address unless a trusted proxy says otherwise). */
export function clientIp(request: FastifyRequest): string {
  return request.plinthClientIp || peerIp(request);
}

/**
 * The first proxy header present on the request, from the configured ones and the
 * common ones; '' when none is (docs/api.md §9 health `possibleProxyHeader`).
 */
export function possibleProxyHeader(request: FastifyRequest, settings: TrustedProxySettings): string {
  for (const name of [...settings.headers, ...COMMON_PROXY_HEADERS]) {
    if (headerValue(request, name)) return name;
  }
  return '';
}

/**
 * The client IP: the socket peer, unless the peer is a trusted proxy and a proxy header
 * names a valid address.
 *
 * SECURITY: a header is believed only from a trusted peer, because any client can send
 * `X-Forwarded-For`. In a comma list the rightmost address that is not itself a trusted
 * proxy is the one our proxies saw (each proxy appends its peer); `useLeftmostIP` takes
 * the first instead, which only the operator can decide is safe (e.g. an upstream CDN).
 */
export function resolveClientIp(request: FastifyRequest, trusted: IpList, settings: TrustedProxySettings): string {
  const peer = peerIp(request);
  if (trusted.empty || !trusted.has(peer)) return peer;
  const names = settings.headers.length > 0 ? settings.headers : [DEFAULT_PROXY_HEADER];
  for (const name of names) {
    const raw = headerValue(request, name);
    if (!raw) continue;
    const ips = raw.split(',').map(normalizeIp).filter((ip) => ip !== '');
    if (ips.length === 0) continue;
    if (settings.useLeftmostIP) return ips[0];
    for (let i = ips.length - 1; i >= 0; i--) {
      if (!trusted.has(ips[i])) return ips[i];
    }
    return ips[0];
  }
  return peer;
}

// A connection's peer never changes, and a keep-alive connection carries many requests: its
// address is normalized once (a trim, two regexes and an isIP check on every request before).
const peerIps = new WeakMap<object, string>();

function peerIp(request: FastifyRequest): string {
  const socket = request.raw.socket;
  const known = socket ? peerIps.get(socket) : undefined;
  if (known !== undefined) return known;
  const address = socket?.remoteAddress ?? '';
  const ip = normalizeIp(address) || address;
  // NOTE: a closed socket has no address any more: nothing is kept for it.
  if (socket && address !== '') peerIps.set(socket, ip);
  return ip;
}

/** The last value of a header (the one the nearest proxy set), or ''. */
function headerValue(request: FastifyRequest, name: string): string {
  const value = request.headers[name.toLowerCase()];
  if (Array.isArray(value)) return value[value.length - 1] ?? '';
  return value ?? '';
}

/**
 * Limits on TCP connections that work before any request is read (issue 10): a cap on
 * the connections one client address holds open at once (keep-alive sockets and realtime
 * streams included; the peer address counts, never a proxy header), and a deadline for
 * the first request of a connection.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ipCounterKey, type IpList } from '../tools/ip-list.js';

/** The default cap on open connections per client address (`--connectionsPerIp`). */
export const DEFAULT_CONNECTIONS_PER_IP = 1000;

/** Options of limitConnectionsPerIp. */
export interface ConnectionLimitOptions {
  /** The most connections one address (an IPv6 /64) may hold open; 0 means no cap. */
  max: number;
  /**
   * Peers never capped: the trusted reverse proxies (`--trustedProxy`), through which every
   * client connects, so capping them would cap everyone together.
   */
  exempt: IpList;
}

// Written before the socket closes: the client learns why instead of seeing a reset.
const REFUSAL_BODY = JSON.stringify({ status: 429, message: 'Too many open connections from your address.', data: {} }) + '\n';
const REFUSAL = `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(REFUSAL_BODY)}\r\nConnection: close\r\n\r\n${REFUSAL_BODY}`;

/**
 * Counts each peer's open connections on `server` and closes, with a 429, every
 * connection past `max` as soon as it is accepted.
 */
export function limitConnectionsPerIp(server: Server, options: ConnectionLimitOptions): void {
  const { max, exempt } = options;
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (exempt.has(address)) return;
    const key = ipCounterKey(address);
    const count = (open.get(key) ?? 0) + 1;
    if (count > max) {
      // SECURITY: nothing of the request is read; the socket costs one write and a close.
      socket.end(REFUSAL, () => socket.destroy());
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}

// NOTE: a property on the socket rather than a map: it goes with the socket.
const FIRST_REQUEST_TIMER = Symbol('plinth.firstRequestTimer');
type TimedSocket = Socket & { [FIRST_REQUEST_TIMER]?: NodeJS.Timeout };

/**
 * Closes a connection whose first request has not started within `ms`.
 *
 * SECURITY: Node bounds a request head that has begun (headersTimeout) and an idle
 * keep-alive socket between requests (keepAliveTimeout), but a socket that never sends a
 * byte is never closed while connectionTimeout is 0 — and it stays 0 so that realtime
 * streams, which are responses, stay open. A request that started cancels the deadline.
 */
export function closeSilentConnections(server: Server, ms: number): void {
  server.on('connection', (socket: TimedSocket) => {
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    socket[FIRST_REQUEST_TIMER] = timer;
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (request: { socket: TimedSocket }) => {
    const socket = request.socket;
    const timer = socket[FIRST_REQUEST_TIMER];
    if (timer === undefined) return;
    clearTimeout(timer);
    socket[FIRST_REQUEST_TIMER] = undefined;
  });
}

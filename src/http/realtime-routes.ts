/**
 * The realtime API (docs/api.md §6): `GET /api/realtime` opens a Server-Sent Events
 * stream, `POST /api/realtime` sets the stream's subscriptions and binds the
 * caller's auth. The hub in core/realtime does the rest.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { RealtimeHub } from '../core/realtime/realtime-hub.js';
import type { RealtimeClient, RealtimeConnection } from '../core/realtime/realtime-client.js';
import { MAX_SUBSCRIPTION_LENGTH, MAX_SUBSCRIPTIONS } from '../core/realtime/realtime-limits.js';
import { badRequest, type ErrorData } from '../errors/app-error.js';
import { clientIp } from './client-ip.js';
import { codeError } from '../errors/code-error.js';

/** Bytes a slow reader may leave unread before its stream is cut, so one client cannot hoard memory. */
const MAX_BUFFERED = 4 * 1024 * 1024;

/** Registers the realtime routes over a hub. */
export function registerRealtimeRoutes(app: FastifyInstance, hub: RealtimeHub): void {
  // NOTE: one listener and one WeakMap entry per stream rather than a closure (or a
  // `once` wrapper) each: with 10,000 idle streams every per-stream object counts.
  const streams = new WeakMap<ServerResponse, RealtimeClient>();
  function onStreamClose(this: ServerResponse): void {
    const client = streams.get(this);
    if (client) hub.disconnect(client);
  }

  // Open streams would keep Fastify's close() waiting forever.
  app.addHook('preClose', (done) => {
    hub.closeAll();
    done();
  });

  app.get('/api/realtime', { exposeHeadRoute: false }, function connectRealtime(request, reply) {
    const ip = clientIp(request);
    // Refused before the stream opens, so the client gets a plain error answer (429/503).
    hub.assertRoom(ip);
    const res = reply.raw;
    // NOTE: a hijacked reply skips Fastify's header handling; headers set through
    // `reply.header()` by earlier hooks (CORS) are copied onto the raw response here,
    // the security headers are already on it (security-headers.ts).
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) res.setHeader(name, value as string | number | string[]);
    }
    reply.hijack();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    request.raw.socket.setNoDelay(true);
    streams.set(res, hub.connect(new SseConnection(res), ip));
    res.on('close', onStreamClose);
  });

  app.post('/api/realtime', async function setSubscriptions(request, reply) {
    const { clientId, subscriptions } = parseSubscribeBody(request.body);
    hub.setSubscriptions(clientId, subscriptions, request.auth, clientIp(request));
    return reply.code(204).send();
  });
}

/** A RealtimeConnection over a raw HTTP response (a class: one small object per stream, no closures). */
class SseConnection implements RealtimeConnection {
  constructor(private readonly res: ServerResponse) {}

  write(frame: string): void {
    const res = this.res;
    if (res.writableEnded || res.destroyed) return;
    res.write(frame);
    // SECURITY: a client that stops reading would make the node buffer every event.
    if (res.writableLength > MAX_BUFFERED) res.destroy();
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}

/** Validates the body of docs/api.md §6.2: clientId 1–255 chars, at most 1000 subscriptions of at most 2500 chars (PocketBase's limits). */
function parseSubscribeBody(body: unknown): { clientId: string; subscriptions: string[] } {
  const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: ErrorData = {};
  const clientId = typeof input.clientId === 'string' ? input.clientId : '';
  if (clientId === '') errors.clientId = codeError('validation_required');
  else if (clientId.length > 255) errors.clientId = codeError('validation_length_out_of_range', { min: 1, max: 255 });
  const raw = input.subscriptions ?? [];
  const subscriptions: string[] = [];
  if (!Array.isArray(raw)) {
    errors.subscriptions = codeError('validation_invalid_value');
  } else if (raw.length > MAX_SUBSCRIPTIONS) {
    errors.subscriptions = codeError('validation_length_too_long', { max: MAX_SUBSCRIPTIONS });
  } else {
    const itemErrors: ErrorData = {};
    raw.forEach((s, i) => {
      if (typeof s !== 'string') itemErrors[i] = codeError('validation_invalid_value');
      else if (s.length > MAX_SUBSCRIPTION_LENGTH) {
        itemErrors[i] = codeError('validation_length_too_long', { max: MAX_SUBSCRIPTION_LENGTH });
      }
      else subscriptions.push(s);
    });
    if (Object.keys(itemErrors).length > 0) errors.subscriptions = itemErrors;
  }
  if (Object.keys(errors).length > 0) throw badRequest('Something went wrong while processing your request.', errors);
  return { clientId, subscriptions };
}

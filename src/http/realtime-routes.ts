/**
 * The realtime API (docs/api.md §6): `GET /api/realtime` opens a Server-Sent Events
 * stream, `POST /api/realtime` sets the stream's subscriptions and binds the
 * caller's auth. The hub in core/realtime does the rest.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RealtimeHub } from '../core/realtime/realtime-hub.js';
import { RealtimeClient, type RealtimeConnection } from '../core/realtime/realtime-client.js';
import { MAX_SUBSCRIPTION_LENGTH, MAX_SUBSCRIPTIONS } from '../core/realtime/realtime-limits.js';
import { badRequest, notFound, type ErrorData } from '../errors/app-error.js';
import { RealtimeConnectRequestEvent, RealtimeSubscribeRequestEvent, respondHooked, runRequestHook, type AdminHooks } from './admin-hooks.js';
import { clientIp } from './client-ip.js';
import { codeError } from '../errors/code-error.js';

/** Bytes a slow reader may leave unread before its stream is cut, so one client cannot hoard memory. */
const MAX_BUFFERED = 4 * 1024 * 1024;

/** Registers the realtime routes over a hub, with their request hooks. */
export function registerRealtimeRoutes(app: FastifyInstance, hub: RealtimeHub, hooks: AdminHooks): void {
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
    if (hooks.onRealtimeConnectRequest.isEmpty) {
      openStream(request, reply, ip);
      return;
    }
    return connectHooked(request, reply, ip);
  });

  /** Opens the stream through `onRealtimeConnectRequest`: a handler that does not go on refuses it (its answer, or 204). */
  async function connectHooked(request: FastifyRequest, reply: FastifyReply, ip: string): Promise<FastifyReply | undefined> {
    const e = new RealtimeConnectRequestEvent(hooks.app(), request);
    const ran = await runRequestHook(hooks.onRealtimeConnectRequest, e, [], (ev) => {
      // Handlers may have waited: the node may have filled up meanwhile.
      hub.assertRoom(ip);
      ev.client = openStream(request, reply, ip);
    });
    return ran ? undefined : respondHooked(e, reply, false, 204);
  }

  function openStream(request: FastifyRequest, reply: FastifyReply, ip: string): RealtimeClient {
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
    const client = hub.connect(new SseConnection(res), ip);
    streams.set(res, client);
    res.on('close', onStreamClose);
    return client;
  }

  app.post('/api/realtime', async function setSubscriptions(request, reply) {
    const { clientId, subscriptions } = parseSubscribeBody(request.body);
    const ip = clientIp(request);
    if (hooks.onRealtimeSubscribeRequest.isEmpty) {
      await hub.setSubscriptionsAnywhere(clientId, subscriptions, request.auth, ip);
      return reply.code(204).send();
    }
    // NOTE: a stream another node holds (docs/api.md §6.5) is known here by its id only;
    // the handler gets a stand-in client that holds nothing else, and no frame written to it goes anywhere.
    const client = hub.client(clientId) ?? (hub.isElsewhere(clientId) ? new RealtimeClient(clientId, ip, Date.now(), DETACHED) : undefined);
    if (!client) throw notFound('Missing or invalid client id.');
    const e = new RealtimeSubscribeRequestEvent(hooks.app(), request, client, subscriptions);
    const ran = await runRequestHook(hooks.onRealtimeSubscribeRequest, e, [], async (ev) => {
      await hub.setSubscriptionsAnywhere(clientId, ev.subscriptions, request.auth, ip);
    });
    return respondHooked(e, reply, ran, 204);
  });
}

/** The connection of a stand-in for a client another node holds: nothing to write to. */
const DETACHED: RealtimeConnection = { write: () => undefined, end: () => undefined };

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

/**
 * One server span per request (docs/observability.md §3), registered only while tracing is on:
 * a W3C `traceparent` header makes it a child of the caller's trace; its name is the
 * method and route pattern. Everything the request's hooks and handler do runs inside it,
 * so rule, SQL, hook, mail and outbound spans are its children.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UNMATCHED_ROUTE } from '../core/metrics/node-metrics.js';
import { routeOptionsOf } from './route-options.js';

/** Registers the span hooks; first, so that every later hook runs inside the span. */
export function registerRequestTracing(app: FastifyInstance, tracer: Tracer): void {
  const spans = new WeakMap<FastifyRequest, { span: Span; ctx: Context }>();
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = routeOptionsOf(request).url ?? UNMATCHED_ROUTE;
    const span = tracer.startSpan(`${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_HTTP_ROUTE]: route, [ATTR_URL_PATH]: request.url.split('?', 1)[0] },
    }, parent);
    const ctx = trace.setSpan(parent, span);
    spans.set(request, { span, ctx });
    context.with(ctx, done);
  });
  // NOTE: a body is read from socket events, which run outside the span's context: the
  // handler's hooks enter it again.
  app.addHook('preHandler', (request, _reply, done) => {
    const held = spans.get(request);
    if (held) context.with(held.ctx, done);
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const held = spans.get(request);
    if (held) {
      held.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      // Server spans fail on 5xx only: a 4xx is the client's mistake (OTel's HTTP conventions).
      if (reply.statusCode >= 500) held.span.setStatus({ code: SpanStatusCode.ERROR });
      held.span.end();
      spans.delete(request);
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const held = spans.get(request);
    if (held) {
      held.span.setAttribute('plinth.request.aborted', true);
      held.span.end();
      spans.delete(request);
    }
    done();
  });
}

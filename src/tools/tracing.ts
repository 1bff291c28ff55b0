/**
 * The seam of OpenTelemetry tracing (docs/observability.md §3): `tracing.tracer` is set
 * while tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT set) and undefined otherwise.
 * Instrumented code checks it first (`if (tracing.tracer) …`), so with tracing off a
 * span point costs one property read and allocates nothing.
 */
import { context, SpanKind, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

/** Where the node's tracer is while tracing is on. */
export const tracing: { tracer: Tracer | undefined } = { tracer: undefined };

/** Runs `fn` in a child span of the active one, ending it when `fn` settles; an error marks the span. */
export function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, fn: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return tracer.startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      spanFailed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Like `inSpan` for synchronous work. */
export function inSpanSync<T>(tracer: Tracer, name: string, attributes: Attributes, fn: () => T): T {
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    try {
      return fn();
    } catch (err) {
      spanFailed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Records a span that already ended `durationMs` ago as a child of the active one
 * (a SQL statement, timed by the driver before anyone could open a span around it).
 */
export function pastSpan(tracer: Tracer, name: string, attributes: Attributes, durationMs: number, error?: unknown): void {
  const end = performance.now();
  const span = tracer.startSpan(name, { attributes, startTime: end - durationMs }, context.active());
  if (error !== undefined) spanFailed(span, error);
  span.end(end);
}

/** A client span's kind, for callers that need not import the OpenTelemetry API. */
export const CLIENT_SPAN = SpanKind.CLIENT;

/** Marks a span as failed with the error's message. */
export function spanFailed(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  if (err instanceof Error) span.recordException(err);
}

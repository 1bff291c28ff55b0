/**
 * Turns OpenTelemetry tracing on when the standard environment asks for it
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, docs/observability.md §3):
 * loads the SDK — only then — with an OTLP/HTTP exporter behind a batch processor, and
 * sets `tracing.tracer`. One provider serves every node of the process; the last node to
 * stop shuts it down, flushing what is left, and the others flush on stop.
 */
import { readVersion } from '../cli/version.js';
import { tracing } from '../tools/tracing.js';

/** A node's hold on the process's tracing. */
export interface TracingHandle {
  /** Flushes the spans ended so far; the last holder also shuts tracing down. */
  stop(): Promise<void>;
}

interface Provider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let shared: { provider: Provider; holders: number } | undefined;
let starting: Promise<Provider> | undefined;

/** Whether the environment turns tracing on (an OTLP endpoint set, the SDK not disabled). */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Starts tracing for one node when the environment asks for it; undefined when it does not. */
export async function startTracing(env: NodeJS.ProcessEnv): Promise<TracingHandle | undefined> {
  if (!tracingWanted(env)) return undefined;
  if (!shared) {
    starting ??= createProvider();
    const provider = await starting;
    shared ??= { provider, holders: 0 };
  }
  const held = shared;
  held.holders++;
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      held.holders--;
      if (held.holders > 0) return held.provider.forceFlush();
      shared = undefined;
      starting = undefined;
      tracing.tracer = undefined;
      await held.provider.shutdown();
      const api = await import('@opentelemetry/api');
      api.trace.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
}

/** Loads the SDK and registers a provider: AsyncLocalStorage context, W3C trace context, OTLP/HTTP export. */
async function createProvider(): Promise<Provider> {
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, resources, { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const version = readVersion();
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default name.
  const resource = resources.defaultResource()
    .merge(resources.resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'plinth', [ATTR_SERVICE_VERSION]: version }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register();
  tracing.tracer = provider.getTracer('plinth', version);
  return provider;
}

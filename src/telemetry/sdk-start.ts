// The two ways sdk.ts starts OpenTelemetry. Export configured (or a setting
// only the full SDK understands): @opentelemetry/sdk-node's NodeSDK. Otherwise
// just the tracing parts (tracer provider, AsyncLocalStorage context manager,
// W3C propagators): loading sdk-node brings its exporters, metrics and logs
// SDKs into the heap, and a server that loaded it spent ~15-20 µs more per call
// in garbage collection even with its trace hook off (BENCHMARKS.md, Server).
import { context, propagation, ProxyTracerProvider, trace, type TracerProvider } from '@opentelemetry/api';
import type { TelemetryServiceInfo } from './sdk.js';

export interface RunningTelemetry {
  /** The registered tracer provider when this start registered it and it exports nothing; else undefined. */
  readonly exportlessProvider: TracerProvider | undefined;
  shutdown(): Promise<void>;
}

/**
 * True when the operator asked for spans to leave the process: an OTLP
 * endpoint, or an explicit OTEL_TRACES_EXPORTER (otlp, console, none, ...).
 */
export function tracesExportConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER);
}

const DEFAULT_PROPAGATORS = new Set(['tracecontext', 'baggage']);

/** Settings only NodeSDK reads: a sampler, other propagators (b3, jaeger), a configuration file. */
function fullSdkRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_TRACES_SAMPLER || env.OTEL_CONFIG_FILE || env.OTEL_EXPERIMENTAL_CONFIG_FILE) return true;
  const propagators = env.OTEL_PROPAGATORS?.split(',').map((name) => name.trim()).filter(Boolean) ?? [];
  return propagators.some((name) => !DEFAULT_PROPAGATORS.has(name));
}

function globalTracerDelegate(): TracerProvider {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
}

/** Starts tracing for this process; undefined when OTEL_SDK_DISABLED=true. */
export function startOpenTelemetry(info: TelemetryServiceInfo, env: NodeJS.ProcessEnv = process.env): Promise<RunningTelemetry | undefined> {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return Promise.resolve(undefined);
  return tracesExportConfigured(env) || fullSdkRequested(env) ? startNodeSdk(info, env) : startTracingOnly();
}

/**
 * No exporter: spans only lend ids (for ctx.trace, logs and `traceparent`),
 * so a bare tracer provider with no span processor does. Each global is
 * registered only if nobody did before, and only those are undone at shutdown.
 */
async function startTracingOnly(): Promise<RunningTelemetry> {
  const [{ TracerProvider: SdkTracerProvider }, { AsyncLocalStorageContextManager }, { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator }] =
    await Promise.all([import('@opentelemetry/sdk-trace'), import('@opentelemetry/context-async-hooks'), import('@opentelemetry/core')]);
  const provider = new SdkTracerProvider();
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const ownsTracer = trace.setGlobalTracerProvider(provider);
  const ownsContext = context.setGlobalContextManager(contextManager);
  const ownsPropagator = propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  return {
    exportlessProvider: ownsTracer ? provider : undefined,
    async shutdown() {
      await provider.shutdown();
      if (ownsTracer) trace.disable();
      if (ownsContext) context.disable();
      else contextManager.disable();
      if (ownsPropagator) propagation.disable();
    },
  };
}

async function startNodeSdk(info: TelemetryServiceInfo, env: NodeJS.ProcessEnv): Promise<RunningTelemetry> {
  const { NodeSDK, resources, tracing } = await import('@opentelemetry/sdk-node');
  const attributes: Record<string, string> = { 'service.name': info.serviceName };
  if (info.serviceVersion) attributes['service.version'] = info.serviceVersion;
  const exporting = tracesExportConfigured(env);
  const sdk = new NodeSDK({
    // Detected resources (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, host,
    // process) are merged over this one, so the environment wins.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes(attributes)),
    // undefined lets the SDK build exporters from OTEL_*; a no-op processor
    // still makes it register a tracer provider, so spans get real ids.
    spanProcessors: exporting ? undefined : [new tracing.NoopSpanProcessor()],
    metricReaders: [],
    logRecordProcessors: [],
  });
  const before = globalTracerDelegate();
  sdk.start();
  const after = globalTracerDelegate();
  const ownsGlobals = after !== before;
  return {
    exportlessProvider: ownsGlobals && !exporting ? after : undefined,
    async shutdown() {
      await sdk.shutdown();
      // The SDK leaves its globals registered; a later start could not replace them.
      if (ownsGlobals) {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}

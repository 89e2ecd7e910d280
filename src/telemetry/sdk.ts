import { context, propagation, ProxyTracerProvider, trace, type TracerProvider } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';

export interface TelemetryServiceInfo {
  /** `service.name`, e.g. "user.v1.UserService". OTEL_SERVICE_NAME overrides it. */
  readonly serviceName: string;
  /** `service.version` from the descriptor. OTEL_RESOURCE_ATTRIBUTES overrides it. */
  readonly serviceVersion?: string;
}

interface RunningSdk {
  readonly sdk: NodeSDK;
  /** The SDK became the global tracer provider (nobody had registered one before it). */
  readonly ownsGlobals: boolean;
}

let started: Promise<RunningSdk | undefined> | undefined;
/** The tracer provider of an SDK started with no exporter: its spans only lend ids, they go nowhere. */
let exportlessProvider: TracerProvider | undefined;
/** What the global tracer provider delegates to while nobody registered one (OpenTelemetry's shared no-op). */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();
/** startTelemetry() was called by the application: only its shutdownTelemetry() ends the SDK. */
let startedByApp = false;
/** Runtime parts (TuskServer) holding the SDK; the last release shuts it down unless the app started it. */
let holders = 0;

/**
 * True when the operator asked for spans to leave the process: an OTLP
 * endpoint, or an explicit OTEL_TRACES_EXPORTER (otlp, console, none, ...).
 */
export function tracesExportConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER);
}

/**
 * Starts the OpenTelemetry SDK once per process (later calls return the first
 * start's promise, whatever their arguments). TuskServer starts it at start(),
 * when the descriptor names the service; clients-only processes may call it
 * themselves, and then end it with shutdownTelemetry().
 *
 * - Exporter: chosen by the standard OTEL_* variables (OTEL_TRACES_EXPORTER,
 *   OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _PROTOCOL, _HEADERS, OTEL_BSP_*) when
 *   any export is configured; otherwise none, so nothing leaves the process,
 *   but spans still get ids that logs and `traceparent` carry.
 * - Propagation: W3C trace context + baggage (OTEL_PROPAGATORS overrides).
 * - OTEL_SDK_DISABLED=true turns all of it off.
 * - Metrics and logs stay with prom-client and pino: no OTel readers or log processors.
 */
export function startTelemetry(info: TelemetryServiceInfo): Promise<void> {
  startedByApp = true;
  return ensureStarted(info);
}

/**
 * For the runtime (TuskServer): starts the SDK like startTelemetry() and
 * returns the matching release. Several servers in one process share one SDK;
 * it shuts down when the last one releases it, unless the application started
 * it itself (then the application's shutdownTelemetry() ends it).
 */
export async function holdTelemetry(info: TelemetryServiceInfo): Promise<() => Promise<void>> {
  holders++;
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    holders--;
    if (holders === 0 && !startedByApp) await shutdownTelemetry();
  };
  try {
    await ensureStarted(info);
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}

/** Flushes pending spans and stops the SDK; a later startTelemetry() starts afresh. */
export async function shutdownTelemetry(): Promise<void> {
  const current = started;
  started = undefined;
  startedByApp = false;
  const running = await current?.catch(() => undefined);
  exportlessProvider = undefined;
  if (!running) return;
  await running.sdk.shutdown();
  // The SDK leaves its globals registered; a later start could not replace them.
  if (running.ownsGlobals) {
    trace.disable();
    context.disable();
    propagation.disable();
  }
}

function ensureStarted(info: TelemetryServiceInfo): Promise<void> {
  started ??= createAndStartSdk(info);
  return started.then(() => undefined);
}

function globalTracerDelegate(): TracerProvider {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
}

async function createAndStartSdk(info: TelemetryServiceInfo): Promise<RunningSdk | undefined> {
  // Loaded on demand: processes that never start telemetry never pay for the SDK.
  const { NodeSDK, resources, tracing } = await import('@opentelemetry/sdk-node');
  const attributes: Record<string, string> = { 'service.name': info.serviceName };
  if (info.serviceVersion) attributes['service.version'] = info.serviceVersion;
  const sdk = new NodeSDK({
    // Detected resources (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, host,
    // process) are merged over this one, so the environment wins.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes(attributes)),
    // undefined lets the SDK build exporters from OTEL_*; a no-op processor
    // still makes it register a tracer provider, so spans get real ids.
    spanProcessors: tracesExportConfigured() ? undefined : [new tracing.NoopSpanProcessor()],
    metricReaders: [],
    logRecordProcessors: [],
  });
  const before = globalTracerDelegate();
  sdk.start();
  const after = globalTracerDelegate();
  const ownsGlobals = after !== before;
  if (ownsGlobals && !tracesExportConfigured()) exportlessProvider = after;
  return { sdk, ownsGlobals };
}

/**
 * True when a span started now can end up somewhere: a tracer provider is
 * registered and it is not this package's SDK running without an exporter.
 * The client hook skips its spans otherwise (they would cost a few µs per
 * call and be seen by nobody); a caller's `traceparent` still travels on.
 */
export function spansRecorded(): boolean {
  const delegate = globalTracerDelegate();
  return delegate !== NO_PROVIDER && delegate !== exportlessProvider;
}

import { ProxyTracerProvider, trace, type TracerProvider } from '@opentelemetry/api';
import { startOpenTelemetry, type RunningTelemetry } from './sdk-start.js';

export { tracesExportConfigured } from './sdk-start.js';

export interface TelemetryServiceInfo {
  /** `service.name`, e.g. "user.v1.UserService". OTEL_SERVICE_NAME overrides it. */
  readonly serviceName: string;
  /** `service.version` from the descriptor. OTEL_RESOURCE_ATTRIBUTES overrides it. */
  readonly serviceVersion?: string;
}

let started: Promise<RunningTelemetry | undefined> | undefined;
/** The tracer provider of an SDK started with no exporter: its spans only lend ids, they go nowhere. */
let exportlessProvider: TracerProvider | undefined;
/** What the global tracer provider delegates to while nobody registered one (OpenTelemetry's shared no-op). */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();
/** startTelemetry() was called by the application: only its shutdownTelemetry() ends the SDK. */
let startedByApp = false;
/** Runtime parts (TuskServer) holding the SDK; the last release shuts it down unless the app started it. */
let holders = 0;

/**
 * Starts the OpenTelemetry SDK once per process (later calls return the first
 * start's promise, whatever their arguments). TuskServer starts it at start(),
 * when the descriptor names the service; clients-only processes may call it
 * themselves, and then end it with shutdownTelemetry().
 *
 * - Exporter: chosen by the standard OTEL_* variables (OTEL_TRACES_EXPORTER,
 *   OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _PROTOCOL, _HEADERS, OTEL_BSP_*) when
 *   any export is configured, through @opentelemetry/sdk-node's NodeSDK;
 *   otherwise none, so nothing leaves the process, but spans still get ids
 *   that logs and `traceparent` carry. Then only the tracing parts are loaded
 *   (unless OTEL_TRACES_SAMPLER, a non-W3C OTEL_PROPAGATORS or a config file
 *   needs NodeSDK), which keeps sdk-node out of the heap.
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
  await running?.shutdown();
}

function ensureStarted(info: TelemetryServiceInfo): Promise<void> {
  started ??= start(info);
  return started.then(() => undefined);
}

async function start(info: TelemetryServiceInfo): Promise<RunningTelemetry | undefined> {
  const running = await startOpenTelemetry(info);
  exportlessProvider = running?.exportlessProvider;
  return running;
}

/**
 * True when a span started now can end up somewhere: a tracer provider is
 * registered and it is not this package's SDK running without an exporter.
 * The client hook skips its spans otherwise (they would cost a few µs per
 * call and be seen by nobody); a caller's `traceparent` still travels on.
 */
export function spansRecorded(): boolean {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate !== NO_PROVIDER && delegate !== exportlessProvider;
}

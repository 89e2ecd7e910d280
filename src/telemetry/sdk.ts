import type { NodeSDK } from '@opentelemetry/sdk-node';

export interface TelemetryServiceInfo {
  /** `service.name`, e.g. "user.v1.UserService". OTEL_SERVICE_NAME overrides it. */
  readonly serviceName: string;
  /** `service.version` from the descriptor. OTEL_RESOURCE_ATTRIBUTES overrides it. */
  readonly serviceVersion?: string;
}

let started: Promise<NodeSDK | undefined> | undefined;

/**
 * True when the operator asked for spans to leave the process: an OTLP
 * endpoint, or an explicit OTEL_TRACES_EXPORTER (otlp, console, none, ...).
 */
export function tracesExportConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER);
}

/**
 * Starts the OpenTelemetry SDK once per process (later calls return the first
 * start's promise, whatever their arguments). TuskServer calls it at start,
 * when the descriptor names the service; clients-only processes may call it
 * themselves.
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
  started ??= createAndStartSdk(info);
  return started.then(() => undefined);
}

/** Flushes pending spans and stops the SDK; a later startTelemetry() starts afresh. */
export async function shutdownTelemetry(): Promise<void> {
  const current = started;
  started = undefined;
  const sdk = await current;
  await sdk?.shutdown();
}

async function createAndStartSdk(info: TelemetryServiceInfo): Promise<NodeSDK | undefined> {
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
  sdk.start();
  return sdk;
}

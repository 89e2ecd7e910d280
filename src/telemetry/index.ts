// Observability: tracing set-up, propagation, metrics, logs. The `--import`
// entry (register.ts, `tusk-grpc/telemetry`) is separate: it has side effects.
export type { Logger, LogFn } from './logger-types.js';
export { createLogger, resolveLogLevel, callLogFields, callOutcomeFields, type LoggerOptions } from './logger.js';
export { startTelemetry, shutdownTelemetry, holdTelemetry, tracesExportConfigured, spansRecorded, type TelemetryServiceInfo } from './sdk.js';
export { isGrpcInstrumentationInstalled } from './instrumentation-state.js';
export {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  parseTraceparent,
  formatTraceparent,
  extractTraceContext,
  currentTraceContext,
  contextWithTraceContext,
  contextFromTraceHeaders,
  injectTraceContext,
  traceContextFromSpanContext,
  requestIdFrom,
  ensureRequestId,
  type TraceParent,
} from './propagation.js';
export {
  createClientTracer,
  TRACER_NAME,
  type ClientTracer,
  type ClientCallSpans,
  type ClientCallStart,
  type TraceAttributes,
} from './client-tracer.js';
export {
  createServerMetricsHook,
  createServerTraceHook,
  createClientHook,
  createClientStateGauges,
  type ServerCallObserver,
  type ServerCallStart,
  type ServerCallEnd,
  type ClientCallObserver,
  type ClientCallHooks,
  type ClientHookOptions,
  type ClientStateGauges,
} from './runtime-hooks.js';
export {
  createMetrics,
  tuskMetrics,
  BREAKER_STATE_VALUE,
  RPC_DURATION_BUCKETS,
  type TuskMetrics,
  type MetricsOptions,
} from './metrics.js';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server.js';

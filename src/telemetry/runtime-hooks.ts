// The telemetry implementations of the runtime's hook slots: the server's
// metrics and trace stages (src/server/server-hooks.ts, ServerCallHook) and the
// client pipeline's trace hook (src/client/trace-hook.ts, ClientTraceHook). The
// shapes are repeated structurally so this folder does not import the runtime.
import { SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { createClientTracer, endSpanWithOutcome, grpcStatusCode, TRACER_NAME, type ClientCallSpans, type ClientCallStart, type TraceAttributes } from './client-tracer.js';
import { isGrpcInstrumentationInstalled } from './instrumentation-state.js';
import { tuskMetrics, type TuskMetrics } from './metrics.js';
import type { TraceContext } from '../server/call-context.js';
import { contextFromTraceHeaders, TRACEPARENT_HEADER, TRACESTATE_HEADER, traceContextFromSpanContext } from './propagation.js';

export interface ServerCallStart {
  readonly service: string;
  readonly method: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly peer: string;
  readonly requestId: string;
  /** One header's first value without building `metadata` (the server's ServerCallInfo has it). */
  header?(name: string): string | undefined;
  /** Where the trace hook reports the span it started, for ctx.trace and the logs. */
  setServerTrace?(trace: TraceContext): void;
}

export interface ServerCallEnd {
  readonly code: number;
  readonly durationMs: number;
}

export interface ServerCallObserver {
  onCallStart(call: ServerCallStart): ((outcome: ServerCallEnd) => void) | void;
}

/** Server RED metrics: requests by status, duration, in-flight, per method. */
export function createServerMetricsHook(metrics: TuskMetrics = tuskMetrics()): ServerCallObserver {
  return {
    onCallStart(call) {
      const end = metrics.serverCallStarted(call.service, call.method);
      return (outcome) => end(outcome.code, outcome.durationMs);
    },
  };
}

/**
 * A SERVER span per call, child of the caller's `traceparent`, for processes
 * started without `--import tusk-grpc/telemetry`. When grpc-js is instrumented,
 * the instrumentation already makes that span (and runs the handler in it), so
 * this hook stays out of the way instead of doubling it.
 */
export function createServerTraceHook(tracer: Tracer = trace.getTracer(TRACER_NAME)): ServerCallObserver {
  return {
    onCallStart(call) {
      if (isGrpcInstrumentationInstalled()) return undefined;
      const parent = contextFromTraceHeaders(traceHeaders(call));
      const span = tracer.startSpan(`${call.service}/${call.method}`, {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': 'grpc', 'rpc.service': call.service, 'rpc.method': call.method,
          'tusk.request_id': call.requestId, 'network.peer.address': call.peer,
        },
      }, parent);
      call.setServerTrace?.(traceContextFromSpanContext(span.spanContext()));
      return (outcome) => endSpanWithOutcome(span, undefined, outcome.code);
    },
  };
}

/** Only the two headers the trace needs: reading them does not build the whole metadata record. */
function traceHeaders(call: ServerCallStart): Readonly<Record<string, string>> {
  if (!call.header) return call.metadata;
  const headers: Record<string, string> = {};
  const traceparent = call.header(TRACEPARENT_HEADER);
  if (traceparent === undefined) return headers;
  headers[TRACEPARENT_HEADER] = traceparent;
  const tracestate = call.header(TRACESTATE_HEADER);
  if (tracestate !== undefined) headers[TRACESTATE_HEADER] = tracestate;
  return headers;
}

export interface ClientHookOptions {
  readonly tracer?: Tracer;
  readonly metrics?: TuskMetrics;
}

export interface ClientCallObserver {
  startCall(info: ClientCallStart): ClientCallSpans;
}

/**
 * The client pipeline's hook: spans (one per call, one per attempt) and client
 * RED metrics, retries and retry-budget rejections, from the same callbacks.
 * Pipeline events it understands: "retry", "budget_exhausted", "circuit_open",
 * "pick" ({ endpoint, reason }); any other name is kept as a span event.
 */
export function createClientHook(options: ClientHookOptions = {}): ClientCallObserver {
  const tracer = createClientTracer(options.tracer);
  const metrics = options.metrics ?? tuskMetrics();
  return {
    startCall(info) {
      const spans = tracer.startCall(info);
      const endMetrics = metrics.clientCallStarted(info.service, info.method);
      const startedAt = performance.now();
      return {
        get metadata() { return spans.metadata; },
        startAttempt: (attempt, address) => spans.startAttempt(attempt, address),
        runInAttempt: (fn) => spans.runInAttempt(fn),
        event(name: string, attributes?: TraceAttributes) {
          if (name === 'retry') metrics.retry(info.service, info.method);
          else if (name === 'budget_exhausted') metrics.retryBudgetRejected(info.service, info.method);
          spans.event(name, attributes);
        },
        end(error?: unknown) {
          spans.end(error);
          endMetrics(error === undefined ? 0 : grpcStatusCode(error) ?? 2, performance.now() - startedAt);
        },
      };
    },
  };
}

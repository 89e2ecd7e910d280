// The telemetry implementations of the runtime's hook slots: the server's
// metrics and trace stages (src/server/server-hooks.ts, ServerCallHook), the
// client pipeline's trace hook (src/client/trace-hook.ts, ClientTraceHook) and
// the client state observer (src/client/client-observer.ts). The shapes are
// repeated structurally so this folder does not import the runtime.
import { SpanKind, trace, type Tracer } from '@opentelemetry/api';
import type { BreakerStateName } from '../resilience/endpoint-breaker.js';
import { createClientTracer, endSpanWithOutcome, grpcStatusCode, TRACER_NAME, type ClientCallSpans, type ClientCallStart, type TraceAttributes } from './client-tracer.js';
import { isGrpcInstrumentationInstalled } from './instrumentation-state.js';
import { tuskMetrics, type TuskMetrics } from './metrics.js';
import type { TraceContext } from '../server/call-context.js';
import { contextFromTraceValues, lazyTraceContext, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './propagation.js';
import { spansRecorded } from './sdk.js';
import { unrecordedServerTrace } from './unrecorded-server-trace.js';

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
  /** False for a call grpc-js does not carry (the lean transport): grpc-js' instrumentation cannot make its span. */
  readonly viaGrpcJs?: boolean;
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
 * the instrumentation already makes that span for the calls grpc-js carries
 * (and runs the handler in it), so this hook stays out of their way instead of
 * doubling it; the lean transport's calls it still traces. Without a tracer in
 * the arguments, while no span can be recorded (spansRecorded(): no exporter)
 * no span is made: only its ids, for ctx.trace, the logs and outbound calls.
 */
export function createServerTraceHook(tracer?: Tracer): ServerCallObserver {
  const spanTracer = tracer ?? trace.getTracer(TRACER_NAME);
  const recording = tracer === undefined ? spansRecorded : always;
  return {
    onCallStart(call) {
      if (call.viaGrpcJs !== false && isGrpcInstrumentationInstalled()) return undefined;
      if (!recording()) {
        const [traceparent, tracestate] = callerTraceHeaders(call);
        call.setServerTrace?.(unrecordedServerTrace(traceparent, tracestate));
        return undefined;
      }
      const span = spanTracer.startSpan(`${call.service}/${call.method}`, {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': 'grpc', 'rpc.service': call.service, 'rpc.method': call.method,
          'tusk.request_id': call.requestId, 'network.peer.address': call.peer,
        },
      }, callerContext(call));
      // Lazy: `traceparent` is formatted only if the handler (or an outbound call) reads it.
      call.setServerTrace?.(lazyTraceContext(span.spanContext()));
      return (outcome) => endSpanWithOutcome(span, undefined, outcome.code);
    },
  };
}

const always = (): boolean => true;

/**
 * The caller's traceparent and tracestate, read one header at a time (not the whole metadata record); tracestate
 * means nothing without a traceparent (W3C), so calls from outside a trace skip that read.
 */
function callerTraceHeaders(call: ServerCallStart): [string | undefined, string | undefined] {
  const header = (name: string) => (call.header ? call.header(name) : call.metadata[name]);
  const traceparent = header(TRACEPARENT_HEADER);
  return [traceparent, traceparent === undefined ? undefined : header(TRACESTATE_HEADER)];
}

/** The caller's span as the parent; the root (a new trace) when it sent no `traceparent`. */
function callerContext(call: ServerCallStart) {
  return contextFromTraceValues(...callerTraceHeaders(call));
}

export interface ClientHookOptions {
  /** Always make spans with this tracer. Default: the global tracer, and spans only while they can be recorded (see spansRecorded). */
  readonly tracer?: Tracer;
  readonly metrics?: TuskMetrics;
}

/** What the hook gives the pipeline for one call: the shape of src/client/trace-hook.ts ClientCallTrace. */
export interface ClientCallHooks {
  readonly metadata: Readonly<Record<string, string>> | undefined;
  startAttempt(attempt: number, address: string): (error?: unknown) => void;
  /** Absent when the call makes no spans: the pipeline then calls the transport directly. */
  runInAttempt?<T>(fn: () => T): T;
  event(name: string, attributes?: TraceAttributes): void;
  end(error?: unknown): void;
}

export interface ClientCallObserver {
  startCall(info: ClientCallStart): ClientCallHooks;
}

const endNothing = (): void => {};

/** A call with metrics but no spans: nothing to allocate per attempt, no context switch around the transport. */
class MetricsOnlyCall implements ClientCallHooks {
  readonly metadata = undefined;
  private readonly startedAt = performance.now();

  constructor(
    private readonly metrics: TuskMetrics,
    private readonly info: ClientCallStart,
    private readonly endMetrics: (statusCode: number, durationMs: number) => void,
  ) {}

  startAttempt(): (error?: unknown) => void {
    return endNothing;
  }

  event(name: string, attributes?: TraceAttributes): void {
    countEvent(this.metrics, this.info, name, attributes);
  }

  end(error?: unknown): void {
    this.endMetrics(statusOf(error), performance.now() - this.startedAt);
  }
}

/** A call with its spans (call + attempts) and metrics. */
class TracedCall implements ClientCallHooks {
  private readonly startedAt = performance.now();

  constructor(
    private readonly spans: ClientCallSpans,
    private readonly metrics: TuskMetrics,
    private readonly info: ClientCallStart,
    private readonly endMetrics: (statusCode: number, durationMs: number) => void,
  ) {}

  get metadata(): Readonly<Record<string, string>> | undefined {
    return this.spans.metadata;
  }

  startAttempt(attempt: number, address: string): (error?: unknown) => void {
    return this.spans.startAttempt(attempt, address);
  }

  runInAttempt<T>(fn: () => T): T {
    return this.spans.runInAttempt(fn);
  }

  event(name: string, attributes?: TraceAttributes): void {
    countEvent(this.metrics, this.info, name, attributes);
    this.spans.event(name, attributes);
  }

  end(error?: unknown): void {
    this.spans.end(error);
    this.endMetrics(statusOf(error), performance.now() - this.startedAt);
  }
}

function countEvent(metrics: TuskMetrics, info: ClientCallStart, name: string, attributes: TraceAttributes | undefined): void {
  if (name === 'retry') metrics.retry(info.service, info.method);
  else if (name === 'budget_exhausted') metrics.retryBudgetRejected(info.service, info.method);
  else if (name === 'pushback' && typeof attributes?.['endpoint'] === 'string') metrics.pushback(info.service, attributes['endpoint']);
  else if (name === 'endpoints_busy') metrics.endpointsBusy(info.service, info.method);
}

const statusOf = (error: unknown): number => (error === undefined ? 0 : grpcStatusCode(error) ?? 2 /* UNKNOWN */);

/**
 * The client pipeline's hook, installed by default by createClient: spans (one
 * per call, one per attempt) and client RED metrics, retries and retry-budget
 * rejections, from the same callbacks. Pipeline events it understands: "retry",
 * "budget_exhausted", "circuit_open", "pick" ({ endpoint, reason }); any other
 * name is kept as a span event. Without a tracer in the options, spans are made
 * only while they can be recorded (spansRecorded()); metrics always.
 */
export function createClientHook(options: ClientHookOptions = {}): ClientCallObserver {
  const tracer = createClientTracer(options.tracer);
  const metrics = options.metrics ?? tuskMetrics();
  const recording = options.tracer === undefined ? spansRecorded : always;
  return {
    startCall(info) {
      const endMetrics = metrics.clientCallStarted(info.service, info.method);
      if (!recording()) return new MetricsOnlyCall(metrics, info, endMetrics);
      return new TracedCall(tracer.startCall(info), metrics, info, endMetrics);
    },
  };
}

/** The shape of src/client/client-observer.ts ClientStateObserver. */
export interface ClientStateGauges {
  endpointsKnown(service: string, count: number): void;
  breakerState(service: string, endpoint: string, state: BreakerStateName): void;
  endpointLeft(service: string, endpoint: string): void;
}

/**
 * The client runtime's state as gauges, installed by default by createClient:
 * `tusk_discovery_endpoints` per service, `tusk_client_breaker_state` per endpoint
 * (its series dropped when the endpoint leaves).
 */
export function createClientStateGauges(metrics: TuskMetrics = tuskMetrics()): ClientStateGauges {
  return {
    endpointsKnown: (service, count) => metrics.discoveryEndpoints(service, count),
    breakerState: (service, endpoint, state) => metrics.breakerState(service, endpoint, state),
    endpointLeft: (service, endpoint) => metrics.forgetEndpoint(service, endpoint),
  };
}

import { context as otelContext, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { contextWithTraceContext, extractTraceContext, injectTraceContext } from './propagation.js';

// The shapes of src/client/trace-hook.ts (ClientTraceHook), repeated here so the
// telemetry folder does not depend on the client's internals: TypeScript's
// structural typing lets `setClientTraceHook(createClientTracer())` compile.

export type TraceAttributes = Readonly<Record<string, string | number | boolean>>;

export interface ClientCallStart {
  readonly service: string;
  readonly method: string;
  readonly kind: string;
  /** Outgoing metadata so far: a parent's traceparent and x-request-id live here. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ClientCallSpans {
  /** traceparent of the attempt in progress (else of the call span), for the attempt's metadata. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  startAttempt(attempt: number, address: string): (error?: unknown) => void;
  /** Runs `fn` (the attempt's transport call) with the attempt span active, so an instrumented grpc-js nests under it. */
  runInAttempt<T>(fn: () => T): T;
  event(name: string, attributes?: TraceAttributes): void;
  end(error?: unknown): void;
}

export interface ClientTracer {
  startCall(info: ClientCallStart): ClientCallSpans;
}

export const TRACER_NAME = 'tusk-grpc';

/** `rpc.grpc.status_code` of an error: TuskError and grpc-js errors carry a numeric `code`. */
export function grpcStatusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function endSpanWithOutcome(span: Span, error: unknown | undefined, code?: number): void {
  const status = code ?? (error === undefined ? 0 : grpcStatusCode(error) ?? 2 /* UNKNOWN */);
  span.setAttribute('rpc.grpc.status_code', status);
  if (status !== 0) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
  }
  span.end();
}

function hostAndPort(address: string): { host: string; port: number | undefined } {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return { host: address, port: undefined };
  const port = Number(address.slice(colon + 1));
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number.isInteger(port) ? port : undefined };
}

function setPickAttributes(span: Span, attributes: TraceAttributes): void {
  for (const [key, value] of Object.entries(attributes)) span.setAttribute(`tusk.balancer.${key}`, value);
}

class CallSpans implements ClientCallSpans {
  private readonly callContext: Context;
  private attemptContext: Context | undefined;
  private attemptSpan: Span | undefined;
  /** The pipeline picks before it starts the attempt: the pick's attributes wait here for the attempt span. */
  private pendingPick: TraceAttributes | undefined;

  constructor(private readonly tracer: Tracer, private readonly callSpan: Span, parent: Context, private readonly info: ClientCallStart) {
    this.callContext = trace.setSpan(parent, callSpan);
  }

  get metadata(): Readonly<Record<string, string>> {
    const carrier: Record<string, string> = {};
    injectTraceContext(carrier, this.attemptContext ?? this.callContext);
    return carrier;
  }

  startAttempt(attempt: number, address: string): (error?: unknown) => void {
    const { host, port } = hostAndPort(address);
    const span = this.tracer.startSpan(`${this.info.service}/${this.info.method} attempt ${attempt}`, {
      kind: SpanKind.INTERNAL,
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': this.info.service,
        'rpc.method': this.info.method,
        'rpc.attempt': attempt,
        'tusk.attempt': attempt,
        'tusk.endpoint': address,
        'server.address': host,
        ...(port !== undefined ? { 'server.port': port } : {}),
      },
    }, this.callContext);
    this.callSpan.setAttribute('tusk.attempts', attempt);
    if (this.pendingPick !== undefined) {
      setPickAttributes(span, this.pendingPick);
      this.pendingPick = undefined;
    }
    this.attemptSpan = span;
    this.attemptContext = trace.setSpan(this.callContext, span);
    let ended = false;
    return (error?: unknown) => {
      if (ended) return;
      ended = true;
      if (this.attemptSpan === span) {
        this.attemptSpan = undefined;
        this.attemptContext = undefined;
      }
      endSpanWithOutcome(span, error);
    };
  }

  runInAttempt<T>(fn: () => T): T {
    return otelContext.with(this.attemptContext ?? this.callContext, fn);
  }

  /**
   * Pipeline decisions: "retry", "give_up", "circuit_open", "pick" (endpoint and
   * balancer reason), ... An event on the call span, and on the attempt span in
   * progress too, so it shows wherever the reader looks.
   */
  event(name: string, attributes?: TraceAttributes): void {
    const eventName = `tusk.${name}`;
    this.callSpan.addEvent(eventName, attributes);
    this.attemptSpan?.addEvent(eventName, attributes);
    if (name === 'circuit_open') this.callSpan.setAttribute('tusk.circuit_open', true);
    if (name === 'pick' && attributes) {
      if (this.attemptSpan === undefined) this.pendingPick = attributes;
      else setPickAttributes(this.attemptSpan, attributes);
    }
  }

  end(error?: unknown): void {
    endSpanWithOutcome(this.callSpan, error);
  }
}

/**
 * Spans for the client pipeline: one CLIENT span per logical call and one
 * child span per attempt (`rpc.attempt`), with retries, breaker rejections and
 * the picked endpoint as events/attributes. The parent is the caller's
 * `{ parent: ctx }` trace context when the metadata carries one, else the active span.
 */
export function createClientTracer(tracer: Tracer = trace.getTracer(TRACER_NAME)): ClientTracer {
  return {
    startCall(info) {
      const fromMetadata = extractTraceContext(info.metadata);
      const active = otelContext.active();
      const parent = fromMetadata.traceparent ? contextWithTraceContext(fromMetadata, active) : active;
      const span = tracer.startSpan(`${info.service}/${info.method}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': info.service, 'rpc.method': info.method, 'tusk.rpc.kind': info.kind },
      }, parent);
      return new CallSpans(tracer, span, parent, info);
    },
  };
}

import { newRequestId } from './request-id.js';
import {
  context as otelContext,
  defaultTextMapGetter,
  defaultTextMapSetter,
  INVALID_SPANID,
  INVALID_TRACEID,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { parseTraceParent, TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TraceContext } from '../server/call-context.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';
export const REQUEST_ID_HEADER = 'x-request-id';

/** The ids a W3C `traceparent` carries. */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  /** Bit 0 = sampled. */
  readonly traceFlags: number;
}

// W3C trace context on the wire, whatever OTEL_PROPAGATORS says: traceparent is
// the contract between tusk services, and it must work before the SDK starts.
const w3c = new W3CTraceContextPropagator();

/** Parses a W3C `traceparent`; undefined when it is malformed or all-zero, as the spec asks. */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTraceParent(value.trim());
  if (!parsed || !isSpanContextValid(parsed)) return undefined;
  return { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.traceFlags };
}

/** Formats version 00 of `traceparent`. */
export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${(parent.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** CallContext's shape for a span context (the span the server runs the handler in). */
export function traceContextFromSpanContext(spanContext: SpanContext): TraceContext {
  if (!isSpanContextValid(spanContext)) return {};
  const tracestate = spanContext.traceState?.serialize();
  return {
    traceparent: formatTraceparent(spanContext),
    ...(tracestate ? { tracestate } : {}),
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
  };
}

/**
 * traceContextFromSpanContext for the server's span, formatting on demand:
 * `traceparent`/`tracestate` are built when first read (most handlers never
 * read them), the ids are the span context's own strings. Its fields are
 * getters, so spread it through toJSON() (JSON.stringify does) to copy them.
 */
export function lazyTraceContext(spanContext: SpanContext): TraceContext {
  // A started span's ids are well-formed (generated, or parsed from a valid
  // traceparent): only the all-zero context of a no-op or suppressed span is
  // invalid, which spares isSpanContextValid's two regular expressions per call.
  const valid = spanContext.traceId !== INVALID_TRACEID && spanContext.spanId !== INVALID_SPANID;
  return valid ? new SpanTraceContext(spanContext) : EMPTY_TRACE;
}

const EMPTY_TRACE: TraceContext = Object.freeze({});

class SpanTraceContext implements TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  private formattedParent: string | undefined;

  constructor(private readonly spanContext: SpanContext) {
    this.traceId = spanContext.traceId;
    this.spanId = spanContext.spanId;
  }

  get traceparent(): string {
    this.formattedParent ??= formatTraceparent(this.spanContext);
    return this.formattedParent;
  }

  get tracestate(): string | undefined {
    return this.spanContext.traceState?.serialize() || undefined;
  }

  toJSON(): TraceContext {
    const tracestate = this.tracestate;
    return { traceparent: this.traceparent, ...(tracestate ? { tracestate } : {}), traceId: this.traceId, spanId: this.spanId };
  }
}

/** The trace context as received in request metadata (the caller's span); empty when absent or invalid. */
export function extractTraceContext(metadata: Readonly<Record<string, string>>): TraceContext {
  const spanContext = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, metadata, defaultTextMapGetter));
  return spanContext ? traceContextFromSpanContext(spanContext) : {};
}

/** An OTel context (from the root) whose parent span is the one `traceparent` in these headers names; the root when none. */
export function contextFromTraceHeaders(headers: Readonly<Record<string, string>>): Context {
  return w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** contextFromTraceHeaders for the two header values alone (the root when there is no `traceparent`), without a metadata record. */
export function contextFromTraceValues(traceparent: string | undefined, tracestate: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return contextFromTraceHeaders(tracestate === undefined ? { [TRACEPARENT_HEADER]: traceparent } : { [TRACEPARENT_HEADER]: traceparent, [TRACESTATE_HEADER]: tracestate });
}

/** The active span's trace context (or that of `ctx`); empty when there is none. */
export function currentTraceContext(ctx: Context = otelContext.active()): TraceContext {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext ? traceContextFromSpanContext(spanContext) : {};
}

/**
 * An OTel context whose parent span is the given trace context, e.g. a
 * handler's `ctx.trace` when it calls out with `{ parent: ctx }`. Spans started
 * in it join the caller's trace even when the span itself lives in grpc-js.
 */
export function contextWithTraceContext(traceContext: TraceContext, base: Context = otelContext.active()): Context {
  const parent = parseTraceparent(traceContext.traceparent);
  if (!parent) return base;
  return trace.setSpanContext(base, {
    ...parent,
    isRemote: true,
    ...(traceContext.tracestate ? { traceState: new TraceState(traceContext.tracestate) } : {}),
  });
}

/** Writes `traceparent` (and `tracestate`) for the span active in `ctx` into outgoing metadata. */
export function injectTraceContext(metadata: Record<string, string>, ctx: Context = otelContext.active()): void {
  w3c.inject(ctx, metadata, defaultTextMapSetter);
}

/** The caller's `x-request-id`, if it sent a usable one. */
export function requestIdFrom(metadata: Readonly<Record<string, string>>): string | undefined {
  const value = metadata[REQUEST_ID_HEADER]?.trim();
  return value ? value : undefined;
}

/** Returns the request id in `metadata`, creating (and storing) one when missing. */
export function ensureRequestId(metadata: Record<string, string>): string {
  const existing = requestIdFrom(metadata);
  if (existing) return existing;
  const created = newRequestId();
  metadata[REQUEST_ID_HEADER] = created;
  return created;
}

// The trace context of a server span nobody records (no exporter, no
// instrumentation): the caller's trace and a new span id, or a new sampled
// trace. Its ids are generated, and the caller's traceparent parsed, only when
// something reads them (a log line, an outbound call, ctx.trace): an OK call
// whose handler reads none of it, the common case, pays for neither (the SDK's
// id generator took about 2 % of a lean server's CPU).
import { TraceFlags, trace, type SpanContext } from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace';
import type { TraceContext } from '../server/call-context.js';
import { contextFromTraceValues, lazyTraceContext } from './propagation.js';

const spanIds = new RandomIdGenerator();

/** `traceparent`/`tracestate` as the caller sent them; undefined when absent. */
export function unrecordedServerTrace(traceparent: string | undefined, tracestate: string | undefined): TraceContext {
  return new UnrecordedServerTrace(traceparent, tracestate);
}

class UnrecordedServerTrace implements TraceContext {
  private resolved: TraceContext | undefined;

  constructor(
    private readonly traceparent_: string | undefined,
    private readonly tracestate_: string | undefined,
  ) {}

  get traceId(): string | undefined {
    return this.context.traceId;
  }

  get spanId(): string | undefined {
    return this.context.spanId;
  }

  get traceparent(): string | undefined {
    return this.context.traceparent;
  }

  get tracestate(): string | undefined {
    return this.context.tracestate;
  }

  toJSON(): TraceContext {
    const resolved = this.context as TraceContext & { toJSON?(): TraceContext };
    return resolved.toJSON?.() ?? { ...resolved };
  }

  private get context(): TraceContext {
    this.resolved ??= lazyTraceContext(this.spanContext());
    return this.resolved;
  }

  private spanContext(): SpanContext {
    const spanId = spanIds.generateSpanId();
    const parent = this.traceparent_ === undefined ? undefined : trace.getSpanContext(contextFromTraceValues(this.traceparent_, this.tracestate_));
    if (parent === undefined) return { traceId: spanIds.generateTraceId(), spanId, traceFlags: TraceFlags.SAMPLED };
    return parent.traceState === undefined
      ? { traceId: parent.traceId, spanId, traceFlags: parent.traceFlags }
      : { traceId: parent.traceId, spanId, traceFlags: parent.traceFlags, traceState: parent.traceState };
  }
}

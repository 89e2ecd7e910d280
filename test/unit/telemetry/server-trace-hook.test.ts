// The server trace hook: a span per call, child of the caller's traceparent.
// With an exporter-less SDK the span only lends its ids (ctx.trace, logs); with
// a provider that records, it carries the documented attributes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TraceContext } from '../../../src/server/call-context.js';
import { createServerTraceHook, type ServerCallStart } from '../../../src/telemetry/runtime-hooks.js';
import { holdTelemetry, spansRecorded } from '../../../src/telemetry/sdk.js';
import { markGrpcInstrumentationInstalled } from '../../../src/telemetry/instrumentation-state.js';

for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'OTEL_SDK_DISABLED']) delete process.env[name];

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** One call through the hook as the server's interceptor drives it; returns what ctx.trace would be. */
function oneCall(
  hook: ReturnType<typeof createServerTraceHook>, code = 0, headers: Record<string, string> = { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: 'vendor=x' },
  viaGrpcJs?: boolean,
): TraceContext | undefined {
  let seen: TraceContext | undefined;
  const call: ServerCallStart = {
    service: 'shop.v1.Catalog', method: 'GetItem', metadata: headers, peer: '127.0.0.1:4000', requestId: 'req-1', ...(viaGrpcJs === undefined ? {} : { viaGrpcJs }),
    header: (name) => headers[name],
    setServerTrace: (trace) => { seen = trace; },
  };
  // Without a recording provider there is no span to end.
  hook.onCallStart(call)?.({ code, durationMs: 1 });
  return seen;
}

/** oneCall, which must report a span. */
function tracedCall(...args: Parameters<typeof oneCall>): TraceContext {
  const seen = oneCall(...args);
  assert.ok(seen, 'the hook reported the span');
  return seen;
}

describe('createServerTraceHook', () => {
  it('with the SDK started but no exporter: ctx.trace is a new span in the caller\'s trace', async () => {
    const release = await holdTelemetry({ serviceName: 'server-hook-test' });
    try {
      assert.equal(spansRecorded(), false);
      const seen = tracedCall(createServerTraceHook());
      assert.equal(seen.traceId, TRACE_ID);
      assert.match(seen.spanId ?? '', /^[0-9a-f]{16}$/);
      assert.notEqual(seen.spanId, CALLER_SPAN);
      assert.equal(seen.traceparent, `00-${TRACE_ID}-${seen.spanId}-01`);
      assert.equal(seen.tracestate, 'vendor=x');
      const root = tracedCall(createServerTraceHook(), 0, {});
      assert.match(root.traceId ?? '', /^[0-9a-f]{32}$/);
      assert.notEqual(root.traceId, TRACE_ID);
      assert.equal(root.traceparent, `00-${root.traceId}-${root.spanId}-01`, 'a new trace, sampled as the SDK\'s default sampler would');
      assert.equal(root.tracestate, undefined);
    } finally {
      await release();
    }
  });

  it('with nothing recording: ids are made on the first read of ctx.trace, the same on every read, and JSON carries them', async (t) => {
    const release = await holdTelemetry({ serviceName: 'server-hook-test' });
    try {
      // The SDK's id generator draws on Math.random: a call that never reads its trace draws nothing.
      const random = t.mock.method(Math, 'random');
      const seen = tracedCall(createServerTraceHook(), 0, {});
      assert.equal(random.mock.callCount(), 0, 'no ids generated before anything reads them');
      const traceId = seen.traceId;
      assert.ok(random.mock.callCount() > 0);
      assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
      assert.equal(seen.traceId, traceId);
      assert.deepEqual(JSON.parse(JSON.stringify(seen)), { traceparent: `00-${traceId}-${seen.spanId}-01`, traceId, spanId: seen.spanId });
      const child = tracedCall(createServerTraceHook(), 0, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` });
      assert.equal(child.traceparent, `00-${TRACE_ID}-${child.spanId}-00`, 'the caller\'s unsampled flag is kept');
    } finally {
      await release();
    }
  });

  it('with a recording provider: the SERVER span carries the documented attributes and ids of ctx.trace', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    assert.ok(trace.setGlobalTracerProvider(provider));
    try {
      assert.equal(spansRecorded(), true);
      const seen = tracedCall(createServerTraceHook(), 5);
      const [span] = exporter.getFinishedSpans();
      assert.ok(span);
      assert.equal(span.name, 'shop.v1.Catalog/GetItem');
      assert.equal(span.kind, SpanKind.SERVER);
      assert.equal(span.spanContext().spanId, seen.spanId);
      assert.equal(span.parentSpanContext?.spanId, CALLER_SPAN);
      assert.deepEqual(span.attributes, {
        'rpc.system': 'grpc', 'rpc.service': 'shop.v1.Catalog', 'rpc.method': 'GetItem',
        'tusk.request_id': 'req-1', 'network.peer.address': '127.0.0.1:4000', 'rpc.grpc.status_code': 5,
      });
    } finally {
      await provider.shutdown();
      trace.disable();
    }
  });

  it('a tracer passed in always gets the attributes', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    assert.equal(spansRecorded(), false, 'no global provider');
    oneCall(createServerTraceHook(provider.getTracer('explicit')));
    assert.equal(exporter.getFinishedSpans()[0]?.attributes['rpc.method'], 'GetItem');
    await provider.shutdown();
  });

  it('with grpc-js instrumented (the telemetry entry), it leaves grpc-js\' calls to the instrumentation, not the lean transport\'s', async () => {
    const release = await holdTelemetry({ serviceName: 'server-hook-test' });
    markGrpcInstrumentationInstalled();
    try {
      assert.equal(oneCall(createServerTraceHook(), 0, undefined, true), undefined, 'grpc-js carries it: its instrumentation makes the span');
      const lean = tracedCall(createServerTraceHook(), 0, undefined, false);
      assert.equal(lean.traceId, TRACE_ID, 'nobody else sees a lean call: the hook makes its span');
    } finally {
      delete (globalThis as Record<symbol, unknown>)[Symbol.for('tusk-grpc.telemetry.grpcInstrumentation')];
      await release();
    }
  });
});

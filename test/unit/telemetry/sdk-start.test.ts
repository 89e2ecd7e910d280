// Without an exporter only the tracing parts of OpenTelemetry are loaded (not
// @opentelemetry/sdk-node); export settings bring in NodeSDK; ctx.trace's
// traceparent is formatted on first read but reads like the eager one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { startOpenTelemetry } from '../../../src/telemetry/sdk-start.js';
import { holdTelemetry, spansRecorded } from '../../../src/telemetry/sdk.js';
import { lazyTraceContext, traceContextFromSpanContext } from '../../../src/telemetry/propagation.js';

const sdkNodeLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/@opentelemetry/sdk-node/'));

describe('starting OpenTelemetry', () => {
  it('without export settings: real span ids, W3C propagation and a context manager, but no sdk-node and no recorded spans', async () => {
    const release = await holdTelemetry({ serviceName: 'light' });
    try {
      const span = trace.getTracer('t').startSpan('probe');
      assert.match(span.spanContext().spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(span.spanContext().traceId, '00000000000000000000000000000000');
      span.end();
      assert.equal(spansRecorded(), false, 'the exportless provider records nothing anyone sees');
      const carrier: Record<string, string> = {};
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
      assert.equal(carrier['traceparent'], `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      assert.equal(context.with(trace.setSpan(ROOT_CONTEXT, span), () => trace.getActiveSpan()), span, 'the context manager carries the active span');
      assert.equal(sdkNodeLoaded(), false);
    } finally {
      await release();
    }
    assert.equal(trace.getTracer('t').startSpan('after').isRecording(), false, 'released: globals undone');
  });

  it('export settings start NodeSDK; OTEL_SDK_DISABLED starts nothing', async () => {
    assert.equal(await startOpenTelemetry({ serviceName: 'off' }, { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'console' }), undefined);
    const running = await startOpenTelemetry({ serviceName: 'full' }, { OTEL_TRACES_EXPORTER: 'none' });
    try {
      assert.ok(running);
      assert.equal(sdkNodeLoaded(), true);
      assert.equal(running.exportlessProvider, undefined, 'an export was configured');
    } finally {
      await running?.shutdown();
    }
  });
});

describe('lazyTraceContext', () => {
  const spanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED,
    traceState: new TraceState('vendor=a,other=b'),
  };

  it('reads like traceContextFromSpanContext, field by field and as JSON', () => {
    const lazy = lazyTraceContext(spanContext);
    const eager = traceContextFromSpanContext(spanContext);
    assert.equal(lazy.traceparent, eager.traceparent);
    assert.equal(lazy.tracestate, eager.tracestate);
    assert.equal(lazy.traceId, eager.traceId);
    assert.equal(lazy.spanId, eager.spanId);
    assert.deepEqual(JSON.parse(JSON.stringify(lazy)), eager);
  });

  it('no tracestate when the span has none; empty for an invalid span context', () => {
    const lazy = lazyTraceContext({ ...spanContext, traceState: undefined, traceFlags: TraceFlags.NONE });
    assert.equal(lazy.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
    assert.equal(lazy.tracestate, undefined);
    const invalid = lazyTraceContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
    assert.deepEqual({ ...invalid }, {});
    assert.equal(invalid.traceparent, undefined);
  });
});

// The default client hook records metrics always and spans only while they can
// go somewhere: not before any tracer provider exists, not into this package's
// SDK started without an exporter, yes into an application's own provider.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { createClientHook, createClientStateGauges } from '../../../src/telemetry/runtime-hooks.js';
import { shutdownTelemetry, spansRecorded, startTelemetry } from '../../../src/telemetry/sdk.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';

for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'OTEL_SDK_DISABLED']) delete process.env[name];

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const info = { service: 's.v1.S', method: 'M', kind: 'unary', metadata: { traceparent: PARENT } } as const;

/** One call through the hook the way the pipeline drives it. */
function oneCall(hook: ReturnType<typeof createClientHook>, error?: unknown) {
  const call = hook.startCall(info);
  call.event('pick', { endpoint: '127.0.0.1:1', reason: 'round_robin', attempt: 1 });
  const endAttempt = call.startAttempt(1, '127.0.0.1:1');
  const metadata = call.metadata;
  const ran = call.runInAttempt ? call.runInAttempt(() => 'in attempt') : 'direct';
  endAttempt(error);
  call.end(error);
  return { metadata, ran };
}

const requests = async (metrics: ReturnType<typeof createMetrics>, code: number): Promise<number> =>
  (await metrics.registry.getSingleMetric('rpc_client_requests_total')!.get()).values
    .filter((v) => v.labels.rpc_grpc_status_code === String(code)).reduce((sum, v) => sum + v.value, 0);

describe('createClientHook', () => {
  it('without any tracer provider: metrics only, no spans, no attempt context', async () => {
    assert.equal(spansRecorded(), false);
    const metrics = createMetrics({ processMetrics: false });
    const hook = createClientHook({ metrics });
    assert.deepEqual(oneCall(hook), { metadata: undefined, ran: 'direct' });
    oneCall(hook, new TuskError(Code.UNAVAILABLE, 'down'));
    assert.equal(await requests(metrics, 0), 1);
    assert.equal(await requests(metrics, Code.UNAVAILABLE), 1);
  });

  it('with the SDK started but no exporter: still no spans (nobody would see them)', async () => {
    await startTelemetry({ serviceName: 'client-hook-test' });
    try {
      assert.equal(spansRecorded(), false);
      assert.deepEqual(oneCall(createClientHook({ metrics: createMetrics({ processMetrics: false }) })), { metadata: undefined, ran: 'direct' });
    } finally {
      await shutdownTelemetry();
    }
  });

  it('with an application tracer provider: call and attempt spans, the attempt traceparent in the metadata', async () => {
    const exporter = new tracing.InMemorySpanExporter();
    const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
    provider.register();
    try {
      assert.equal(spansRecorded(), true);
      const { metadata, ran } = oneCall(createClientHook({ metrics: createMetrics({ processMetrics: false }) }));
      assert.equal(ran, 'in attempt');
      const spans = exporter.getFinishedSpans();
      const attempt = spans.find((s) => s.name === 's.v1.S/M attempt 1')!;
      const call = spans.find((s) => s.name === 's.v1.S/M')!;
      assert.equal(call.parentSpanContext?.spanId, '00f067aa0ba902b7');
      assert.equal(attempt.parentSpanContext?.spanId, call.spanContext().spanId);
      assert.equal(attempt.attributes['tusk.balancer.reason'], 'round_robin');
      assert.match(metadata?.traceparent ?? '', new RegExp(`-${attempt.spanContext().spanId}-`));
    } finally {
      await provider.shutdown();
      trace.disable();
    }
    assert.equal(spansRecorded(), false);
  });
});

describe('createClientStateGauges', () => {
  it('writes endpoint counts and breaker states, and forgets departed endpoints', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const gauges = createClientStateGauges(metrics);
    gauges.endpointsKnown('s.v1.S', 2);
    gauges.breakerState('s.v1.S', 'a:1', 'open');
    gauges.breakerState('s.v1.S', 'b:2', 'half_open');
    gauges.endpointLeft('s.v1.S', 'b:2');
    const breaker = (await metrics.registry.getSingleMetric('tusk_client_breaker_state')!.get()).values;
    assert.deepEqual(breaker.map((v) => [v.labels.endpoint, v.value]), [['a:1', 1]]);
    const endpoints = (await metrics.registry.getSingleMetric('tusk_discovery_endpoints')!.get()).values;
    assert.deepEqual(endpoints.map((v) => [v.labels.service, v.value]), [['s.v1.S', 2]]);
  });
});

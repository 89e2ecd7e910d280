import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { createClientTracer } from '../../../src/telemetry/client-tracer.js';
import { parseTraceparent } from '../../../src/telemetry/propagation.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { Code } from '../../../src/status/codes.js';

const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

describe('client tracer (the pipeline trace hook)', () => {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
  before(() => provider.register());
  after(async () => { await provider.shutdown(); trace.disable(); });

  it('a retried call is one client span with two attempt spans, joined to the parent trace', () => {
    const tracer = createClientTracer(provider.getTracer('test'));
    const call = tracer.startCall({
      service: 'user.v1.UserService', method: 'GetUser', kind: 'unary',
      metadata: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`, 'x-request-id': 'r1' },
    });
    // The pipeline's order: pick, then the attempt on the picked endpoint.
    call.event('pick', { endpoint: '127.0.0.1:5001', reason: 'p2c_ewma', attempt: 1 });
    const end1 = call.startAttempt(1, '127.0.0.1:5001');
    const first = parseTraceparent(call.metadata?.traceparent);
    end1(new TuskError(Code.UNAVAILABLE, 'connection refused'));
    call.event('retry', { attempt: 1, reason: 'connection refused' });
    call.event('pick', { endpoint: '127.0.0.1:5002', reason: 'p2c_ewma', attempt: 2 });
    const end2 = call.startAttempt(2, '127.0.0.1:5002');
    const second = parseTraceparent(call.metadata?.traceparent);
    const activeInAttempt = call.runInAttempt(() => trace.getActiveSpan()?.spanContext().spanId);
    end2();
    call.end();

    const spans = exporter.getFinishedSpans();
    const callSpan = spans.find((s) => s.name === 'user.v1.UserService/GetUser')!;
    const attempts = spans.filter((s) => s.name.includes(' attempt ')).sort((a, b) => Number(a.attributes['rpc.attempt']) - Number(b.attributes['rpc.attempt']));
    assert.ok(callSpan);
    assert.equal(callSpan.spanContext().traceId, PARENT_TRACE);
    assert.equal(callSpan.parentSpanContext?.spanId, PARENT_SPAN);
    assert.equal(attempts.length, 2);
    for (const attempt of attempts) assert.equal(attempt.parentSpanContext?.spanId, callSpan.spanContext().spanId);
    assert.deepEqual(attempts.map((s) => s.attributes['rpc.attempt']), [1, 2]);
    assert.deepEqual(attempts.map((s) => s.attributes['tusk.endpoint']), ['127.0.0.1:5001', '127.0.0.1:5002']);
    assert.equal(attempts[0]!.attributes['rpc.grpc.status_code'], Code.UNAVAILABLE);
    assert.equal(attempts[0]!.attributes['tusk.balancer.reason'], 'p2c_ewma');
    assert.equal(attempts[0]!.attributes['tusk.balancer.endpoint'], '127.0.0.1:5001');
    assert.equal(attempts[1]!.attributes['tusk.balancer.endpoint'], '127.0.0.1:5002');
    assert.equal(attempts[1]!.attributes['rpc.grpc.status_code'], 0);
    assert.deepEqual(callSpan.events.map((e) => e.name), ['tusk.pick', 'tusk.retry', 'tusk.pick']);
    // Each attempt's metadata carries that attempt's own span id, so the server's span nests under it.
    assert.equal(first?.spanId, attempts[0]!.spanContext().spanId);
    assert.equal(second?.spanId, attempts[1]!.spanContext().spanId);
    assert.equal(activeInAttempt, attempts[1]!.spanContext().spanId);
  });

  it('a breaker rejection marks the call span as failed with the status code', () => {
    exporter.reset();
    const call = createClientTracer(provider.getTracer('test')).startCall({ service: 's.v1.S', method: 'M', kind: 'unary', metadata: {} });
    call.event('circuit_open');
    call.end(new TuskError(Code.UNAVAILABLE, 'circuit open'));
    const [span] = exporter.getFinishedSpans();
    assert.equal(span!.parentSpanContext, undefined, 'a root span without parent or active span');
    assert.equal(span!.attributes['tusk.circuit_open'], true);
    assert.equal(span!.attributes['rpc.grpc.status_code'], Code.UNAVAILABLE);
    assert.equal(span!.status.code, 2);
    assert.deepEqual(span!.events.map((e) => e.name), ['tusk.circuit_open']);
  });
});

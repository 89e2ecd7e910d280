import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  contextWithTraceContext, currentTraceContext, ensureRequestId, extractTraceContext, formatTraceparent,
  injectTraceContext, parseTraceparent, REQUEST_ID_HEADER, requestIdFrom,
} from '../../../src/telemetry/propagation.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const HEADER = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('traceparent', () => {
  it('parses and formats the W3C example round trip', () => {
    const parsed = parseTraceparent(HEADER);
    assert.deepEqual(parsed, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    assert.equal(formatTraceparent(parsed!), HEADER);
    assert.equal(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 }), `00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('rejects malformed, all-zero and forbidden-version values', () => {
    for (const bad of [undefined, '', 'garbage', `00-${TRACE_ID}-${SPAN_ID}`, `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`, `ff-${TRACE_ID}-${SPAN_ID}-01`, `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`]) {
      assert.equal(parseTraceparent(bad), undefined, String(bad));
    }
  });
});

describe('metadata propagation', () => {
  it('extracts the caller trace context from metadata into the CallContext shape', () => {
    assert.deepEqual(extractTraceContext({ traceparent: HEADER, tracestate: 'vendor=abc' }), {
      traceparent: HEADER, tracestate: 'vendor=abc', traceId: TRACE_ID, spanId: SPAN_ID,
    });
    assert.deepEqual(extractTraceContext({}), {});
    assert.deepEqual(extractTraceContext({ traceparent: 'nope' }), {});
  });

  it('injects the trace context of a parent CallContext into outgoing metadata', () => {
    const parent = extractTraceContext({ traceparent: HEADER, tracestate: 'vendor=abc' });
    const outgoing: Record<string, string> = {};
    injectTraceContext(outgoing, contextWithTraceContext(parent, ROOT_CONTEXT));
    assert.deepEqual(outgoing, { traceparent: HEADER, tracestate: 'vendor=abc' });
    assert.deepEqual(currentTraceContext(contextWithTraceContext(parent, ROOT_CONTEXT)), parent);
  });

  it('injects nothing without a span, and keeps an unsampled flag', () => {
    const outgoing: Record<string, string> = {};
    injectTraceContext(outgoing, ROOT_CONTEXT);
    assert.deepEqual(outgoing, {});
    const active = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 });
    injectTraceContext(outgoing, active);
    assert.equal(outgoing.traceparent, `00-${TRACE_ID}-${SPAN_ID}-00`);
    assert.deepEqual(currentTraceContext(ROOT_CONTEXT), {});
  });
});

describe('x-request-id', () => {
  it('keeps the caller request id and creates one when missing', () => {
    const incoming: Record<string, string> = { [REQUEST_ID_HEADER]: 'req-42' };
    assert.equal(ensureRequestId(incoming), 'req-42');
    const fresh: Record<string, string> = {};
    const created = ensureRequestId(fresh);
    assert.match(created, /^[0-9a-f-]{36}$/);
    assert.equal(fresh[REQUEST_ID_HEADER], created);
    assert.equal(ensureRequestId(fresh), created, 'stable once set');
    assert.equal(requestIdFrom({ [REQUEST_ID_HEADER]: '  ' }), undefined);
  });
});

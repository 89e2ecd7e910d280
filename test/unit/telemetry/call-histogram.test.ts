// The RPC duration histogram records into bound series instead of prom-client's
// Histogram; a scrape must not be able to tell the two apart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { CallHistogram } from '../../../src/telemetry/call-histogram.js';
import { createMetrics, RPC_DURATION_BUCKETS } from '../../../src/telemetry/metrics.js';

const NAME = 'rpc_server_duration_seconds';
const LABELS = ['rpc_system', 'rpc_service', 'rpc_method', 'rpc_grpc_status_code'];
const ok = { rpc_system: 'grpc', rpc_service: 'test.v1.S', rpc_method: 'Get', rpc_grpc_status_code: '0' };
const notFound = { ...ok, rpc_grpc_status_code: '5' };
// Values on a bound, between bounds, and above the last one.
const OBSERVED: Array<[typeof ok, number]> = [[ok, 0.001], [ok, 0.0031], [notFound, 0.2], [ok, 12], [ok, 0.0000004]];

function both() {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: NAME, help: 'Duration.', labelNames: LABELS, buckets: RPC_DURATION_BUCKETS, registers: [theirs] });
  const histogram = new CallHistogram({ name: NAME, help: 'Duration.', buckets: RPC_DURATION_BUCKETS, registers: [ours] });
  const series = new Map([ok, notFound].map((labels) => [labels, histogram.seriesFor(labels)]));
  const observe = (labels: typeof ok, value: number) => {
    reference.observe(labels, value);
    series.get(labels)!.observe(value);
  };
  return { theirs, ours, observe };
}

describe('CallHistogram', () => {
  it('scrapes exactly as prom-client\'s Histogram, as text and as JSON', async () => {
    const { theirs, ours, observe } = both();
    for (const [labels, value] of OBSERVED) observe(labels, value);
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  });

  it('shows no series before its first observation, and starts again after a reset', async () => {
    const { theirs, ours, observe } = both();
    assert.equal(await ours.metrics(), await theirs.metrics());
    observe(ok, 0.004);
    theirs.resetMetrics();
    ours.resetMetrics();
    assert.equal(await ours.metrics(), await theirs.metrics());
    observe(notFound, 0.02);
    assert.equal(await ours.metrics(), await theirs.metrics());
  });
});

describe('the call recorder', () => {
  it('counts requests per status from the same series, reads after reads included', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const requests = async () => (await metrics.registry.getSingleMetric('rpc_server_requests_total')!.get()).values.map((v) => [v.labels.rpc_grpc_status_code, v.value]);
    for (const code of [0, 0, 5]) metrics.serverCallStarted('test.v1.S', 'Get')(code, 3);
    assert.deepEqual(await requests(), [['0', 2], ['5', 1]]);
    assert.deepEqual(await requests(), [['0', 2], ['5', 1]]);
    metrics.serverCallStarted('test.v1.S', 'Get')(0, 3);
    assert.deepEqual(await requests(), [['0', 3], ['5', 1]]);
  });
});

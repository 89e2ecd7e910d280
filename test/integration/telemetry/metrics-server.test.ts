// The metrics endpoint over real HTTP: scrape, parse the Prometheus text, and
// check that counters moved by exactly the calls recorded through the hooks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics, type TuskMetrics } from '../../../src/telemetry/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../../src/telemetry/metrics-server.js';
import { createClientHook, createServerMetricsHook } from '../../../src/telemetry/runtime-hooks.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { Code } from '../../../src/status/codes.js';
import { parsePrometheusText, valueOf, type Sample } from './prometheus-text.js';

const SVC = 'user.v1.UserService';

describe('metrics server', () => {
  let metrics: TuskMetrics;
  let server: MetricsServer;
  const scrape = async (): Promise<Sample[]> => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };

  before(async () => {
    metrics = createMetrics();
    server = await startMetricsServer(0, { host: '127.0.0.1', registry: metrics.registry });
  });
  after(async () => { await server.close(); });

  it('serves /healthz and 404 elsewhere', async () => {
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok\n');
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/nope`)).status, 404);
  });

  it('server RED metrics move by exactly the calls recorded', async () => {
    const hook = createServerMetricsHook(metrics);
    const ok = { rpc_service: SVC, rpc_method: 'GetUser', rpc_grpc_status_code: '0' };
    const notFound = { ...ok, rpc_grpc_status_code: String(Code.NOT_FOUND) };
    const before = await scrape();
    for (let i = 0; i < 7; i++) hook.onCallStart({ service: SVC, method: 'GetUser', metadata: {}, peer: 'p', requestId: 'r' })!({ code: 0, durationMs: 3 });
    for (let i = 0; i < 2; i++) hook.onCallStart({ service: SVC, method: 'GetUser', metadata: {}, peer: 'p', requestId: 'r' })!({ code: Code.NOT_FOUND, durationMs: 40 });
    const open = hook.onCallStart({ service: SVC, method: 'GetUser', metadata: {}, peer: 'p', requestId: 'r' })!;
    const during = await scrape();
    assert.equal(valueOf(during, 'rpc_server_requests_total', ok) - valueOf(before, 'rpc_server_requests_total', ok), 7);
    assert.equal(valueOf(during, 'rpc_server_requests_total', notFound) - valueOf(before, 'rpc_server_requests_total', notFound), 2);
    assert.equal(valueOf(during, 'rpc_server_in_flight', { rpc_service: SVC, rpc_method: 'GetUser' }), 1);
    assert.equal(valueOf(during, 'rpc_server_duration_seconds_count', ok), 7);
    assert.equal(valueOf(during, 'rpc_server_duration_seconds_bucket', { ...ok, le: '0.0025' }), 0);
    assert.equal(valueOf(during, 'rpc_server_duration_seconds_bucket', { ...ok, le: '0.005' }), 7);
    assert.equal(valueOf(during, 'rpc_server_duration_seconds_bucket', { ...notFound, le: '0.05' }), 2);
    assert.ok(Math.abs(valueOf(during, 'rpc_server_duration_seconds_sum', ok) - 0.021) < 1e-9);
    open({ code: 0, durationMs: 1 });
    open({ code: 0, durationMs: 1 }); // a second end of the same call is ignored
    const after = await scrape();
    assert.equal(valueOf(after, 'rpc_server_in_flight', { rpc_service: SVC, rpc_method: 'GetUser' }), 0);
    assert.equal(valueOf(after, 'rpc_server_requests_total', ok), 8);
  });

  it('client metrics: calls by status, retries, budget rejections, breaker, discovery, registry', async () => {
    const hook = createClientHook({ metrics });
    const labels = { rpc_service: SVC, rpc_method: 'CreateUser' };
    for (let i = 0; i < 3; i++) {
      const call = hook.startCall({ service: SVC, method: 'CreateUser', kind: 'unary', metadata: {} });
      call.startAttempt(1, '127.0.0.1:1')(new TuskError(Code.UNAVAILABLE, 'down'));
      call.event('retry', { attempt: 1 });
      call.startAttempt(2, '127.0.0.1:2')();
      call.end();
    }
    const failed = hook.startCall({ service: SVC, method: 'CreateUser', kind: 'unary', metadata: {} });
    failed.event('budget_exhausted');
    failed.end(new TuskError(Code.UNAVAILABLE, 'down'));
    metrics.breakerState(SVC, '127.0.0.1:1', 'open');
    metrics.breakerState(SVC, '127.0.0.1:2', 'closed');
    metrics.breakerState(SVC, '127.0.0.1:3', 'half_open');
    metrics.forgetEndpoint(SVC, '127.0.0.1:3');
    metrics.discoveryEndpoints(SVC, 2);
    metrics.registryConnected('etcd', true);
    metrics.registryConnected('etcd', false);

    const samples = await scrape();
    assert.equal(valueOf(samples, 'rpc_client_requests_total', { ...labels, rpc_grpc_status_code: '0' }), 3);
    assert.equal(valueOf(samples, 'rpc_client_requests_total', { ...labels, rpc_grpc_status_code: String(Code.UNAVAILABLE) }), 1);
    assert.equal(valueOf(samples, 'rpc_client_duration_seconds_count', { ...labels, rpc_grpc_status_code: '0' }), 3);
    assert.equal(valueOf(samples, 'rpc_client_in_flight', labels), 0);
    assert.equal(valueOf(samples, 'tusk_client_retries_total', { service: SVC, method: 'CreateUser' }), 3);
    assert.equal(valueOf(samples, 'tusk_client_retry_budget_rejections_total', { service: SVC, method: 'CreateUser' }), 1);
    assert.equal(valueOf(samples, 'tusk_client_breaker_state', { service: SVC, endpoint: '127.0.0.1:1' }), 1);
    assert.equal(valueOf(samples, 'tusk_client_breaker_state', { service: SVC, endpoint: '127.0.0.1:2' }), 0);
    assert.equal(samples.filter((s) => s.name === 'tusk_client_breaker_state').length, 2, 'the forgotten endpoint is gone');
    assert.equal(valueOf(samples, 'tusk_discovery_endpoints', { service: SVC }), 2);
    assert.equal(valueOf(samples, 'tusk_registry_connected', { provider: 'etcd' }), 0);
    assert.ok(samples.some((s) => s.name === 'process_cpu_user_seconds_total'), 'process metrics are collected');
  });
});

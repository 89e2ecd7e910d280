// What a client records without any telemetry code from the application:
// createClient installs the metrics hook and the state gauges. Real servers on
// loopback (in process, or child processes where one must die), scraped over
// HTTP from the process-wide registry's metrics server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientEndpoints, closeClient, createClient } from '../../../src/client/index.js';
import { LocalRegistry } from '../../../src/discovery/local-registry.js';
import type { RegistrationHandle } from '../../../src/discovery/types.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { startMetricsServer, type MetricsServer } from '../../../src/telemetry/metrics-server.js';
import { tuskMetrics } from '../../../src/telemetry/metrics.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { parsePrometheusText, valueOf, type Sample } from '../telemetry/prometheus-text.js';
import { startEchoServer, type EchoServer } from './echo-grpc-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { spawnEchoChild, type EchoChild } from './echo-children.js';

const SERVICE = 'test.v1.EchoService';
const method = (name: string) => ({ rpc_system: 'grpc', rpc_service: SERVICE, rpc_method: name });
const status = (name: string, code: number) => ({ ...method(name), rpc_grpc_status_code: String(code) });

/** A loopback port with nothing listening: connections to it are refused. */
async function deadAddress(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

describe('client metrics, on by default', () => {
  let metricsServer: MetricsServer;
  let live: EchoServer;
  let other: EchoServer;
  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`);
    assert.equal(response.status, 200);
    return parsePrometheusText(await response.text());
  };
  const delta = (before: Sample[], after: Sample[], name: string, labels: Record<string, string>): number =>
    valueOf(after, name, labels) - valueOf(before, name, labels);

  before(async () => {
    metricsServer = await startMetricsServer(0, { host: '127.0.0.1', registry: tuskMetrics().registry });
    [live, other] = await Promise.all([startEchoServer(), startEchoServer()]);
  });
  after(async () => {
    await Promise.all([live.stop(), other.stop(), metricsServer.close()]);
  });

  it('rpc_client_* move by exactly the calls made, by final status; discovery count matches the endpoints', async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [live.address, other.address], balancer: 'round_robin' });
    try {
      const before = await scrape();
      for (let i = 0; i < 7; i++) await client.echo({ text: `ok ${i}` });
      for (let i = 0; i < 2; i++) await assert.rejects(client.echo({ text: 'missing', fail: Code.NOT_FOUND }));
      const stream: string[] = [];
      for await (const reply of client.countUp({ text: '3' }) as AsyncIterable<{ text: string }>) stream.push(reply.text);
      assert.deepEqual(stream, ['1', '2', '3']);
      const after = await scrape();
      assert.equal(delta(before, after, 'rpc_client_requests_total', status('Echo', 0)), 7);
      assert.equal(delta(before, after, 'rpc_client_requests_total', status('Echo', Code.NOT_FOUND)), 2);
      assert.equal(delta(before, after, 'rpc_client_duration_seconds_count', status('Echo', 0)), 7);
      assert.equal(delta(before, after, 'rpc_client_requests_total', status('CountUp', 0)), 1);
      assert.equal(valueOf(after, 'rpc_client_in_flight', method('Echo')), 0);
      assert.equal(delta(before, after, 'tusk_client_retries_total', { service: SERVICE, method: 'Echo' }), 0, 'NOT_FOUND is not retried');
      assert.equal(valueOf(after, 'tusk_discovery_endpoints', { service: SERVICE }), 2);
      assert.equal(valueOf(after, 'tusk_client_breaker_state', { service: SERVICE, endpoint: live.address }), 0);
      assert.equal(valueOf(after, 'tusk_client_breaker_state', { service: SERVICE, endpoint: other.address }), 0);
    } finally {
      await closeClient(client);
    }
    const closed = await scrape();
    assert.equal(valueOf(closed, 'tusk_discovery_endpoints', { service: SERVICE }), 0, 'a closed client knows no endpoints');
    assert.equal(closed.filter((s) => s.name === 'tusk_client_breaker_state').length, 0, 'its breaker series are gone');
  });

  it('each retry counts once: a server answering UNAVAILABLE to an idempotent method, three attempts per call', async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(), {
      endpoints: [live.address],
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
      circuitBreaker: { threshold: 1_000 },
      methods: { Echo: { idempotent: true } },
    });
    try {
      const callsBefore = live.calls.count;
      const before = await scrape();
      for (let i = 0; i < 3; i++) {
        await assert.rejects(client.echo({ text: 'busy', fail: Code.UNAVAILABLE }), (error: unknown) => error instanceof TuskError && error.code === Code.UNAVAILABLE);
      }
      const after = await scrape();
      assert.equal(live.calls.count - callsBefore, 9, 'the server saw three attempts per call');
      assert.equal(delta(before, after, 'tusk_client_retries_total', { service: SERVICE, method: 'Echo' }), 6);
      assert.equal(delta(before, after, 'rpc_client_requests_total', status('Echo', Code.UNAVAILABLE)), 3, 'one per logical call');
      assert.equal(delta(before, after, 'tusk_client_retry_budget_rejections_total', { service: SERVICE, method: 'Echo' }), 0);
    } finally {
      await closeClient(client);
    }
  });

  it('a retry the budget refuses counts in tusk_client_retry_budget_rejections_total', async () => {
    // Budget ratio 0: only the floor (10 retries/s over the 10 s window = 100) is allowed; every call asks for one retry.
    const CALLS = 110;
    const client = createClient<EchoServiceClient>(echoDescriptor(), {
      endpoints: [await deadAddress()],
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1, budget: 0 },
      circuitBreaker: { threshold: 1_000 },
    });
    try {
      const before = await scrape();
      for (let i = 0; i < CALLS; i++) await assert.rejects(client.create({ text: `c${i}` }));
      const after = await scrape();
      const retries = delta(before, after, 'tusk_client_retries_total', { service: SERVICE, method: 'Create' });
      const refused = delta(before, after, 'tusk_client_retry_budget_rejections_total', { service: SERVICE, method: 'Create' });
      assert.equal(retries + refused, CALLS, 'each call asked for exactly one retry: granted or refused');
      assert.ok(refused >= 1 && retries <= 100, `retries ${retries}, refused ${refused}`);
      assert.equal(delta(before, after, 'rpc_client_requests_total', status('Create', Code.UNAVAILABLE)), CALLS);
    } finally {
      await closeClient(client);
    }
  });
});

describe('state gauges, on by default', () => {
  let metricsServer: MetricsServer;
  const children: EchoChild[] = [];
  const scrape = async (): Promise<Sample[]> => parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`)).text());
  before(async () => {
    metricsServer = await startMetricsServer(0, { host: '127.0.0.1', registry: tuskMetrics().registry });
  });
  after(async () => {
    await Promise.all(children.map((child) => child.kill()));
    await metricsServer.close();
  });

  it('tusk_client_breaker_state shows open once a killed instance trips its breaker', async () => {
    const instances = await Promise.all([spawnEchoChild(), spawnEchoChild()]);
    children.push(...instances);
    const [doomed, survivor] = instances as [EchoChild, EchoChild];
    const client = createClient<EchoServiceClient>(echoDescriptor(), {
      endpoints: [doomed.address, survivor.address],
      balancer: 'round_robin',
      circuitBreaker: { strategy: 'consecutive', threshold: 2, halfOpenAfterMs: 60_000 },
      methods: { Echo: { idempotent: true } },
    });
    try {
      for (let i = 0; i < 4; i++) await client.echo({ text: `warm ${i}` });
      const breaker = (samples: Sample[], endpoint: string) => valueOf(samples, 'tusk_client_breaker_state', { service: SERVICE, endpoint });
      const before = await scrape();
      assert.equal(breaker(before, doomed.address), 0);
      await doomed.kill('SIGKILL');
      const isOpen = () => clientEndpoints(client).some((e) => e.address === doomed.address && !e.usable);
      for (let i = 0; i < 200 && !isOpen(); i++) await client.echo({ text: `after kill ${i}` }); // retried onto the survivor
      await waitUntil(isOpen, 10_000, 'the killed instance\'s breaker to open');
      const after = await scrape();
      assert.equal(breaker(after, doomed.address), 1, 'open');
      assert.equal(breaker(after, survivor.address), 0, 'closed');
      assert.equal(valueOf(after, 'tusk_discovery_endpoints', { service: SERVICE }), 2, 'an open breaker does not remove the endpoint');
    } finally {
      await closeClient(client);
    }
  });

  it('tusk_discovery_endpoints follows the registry as instances come and go', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tusk-client-metrics-'));
    const logger = createLogger({ level: 'silent' });
    const servers = await Promise.all([startEchoServer(), startEchoServer(), startEchoServer()]);
    const publisher = new LocalRegistry({ dir, ttlMs: 3_000, logger });
    const watcher = new LocalRegistry({ dir, ttlMs: 3_000, logger });
    const client = createClient<EchoServiceClient>(echoDescriptor(), { registry: watcher });
    const known = async () => valueOf(await scrape(), 'tusk_discovery_endpoints', { service: SERVICE });
    let lastKnown: number | undefined;
    const waitForKnown = (count: number) => waitUntil(
      async () => (lastKnown = await known()) === count,
      15_000,
      () => `tusk_discovery_endpoints to be ${count} (last seen ${lastKnown})`,
      { intervalMs: 50 },
    );
    try {
      const handles: RegistrationHandle[] = [];
      for (const server of servers) handles.push(await publisher.register({ service: SERVICE, address: server.address, metadata: {} }));
      await waitForKnown(3);
      assert.equal(clientEndpoints(client).length, 3);
      await handles[0]!.deregister();
      await waitForKnown(2);
      const samples = await scrape();
      assert.equal(valueOf(samples, 'tusk_client_breaker_state', { service: SERVICE, endpoint: servers[0]!.address }), 0);
      assert.equal(samples.filter((s) => s.name === 'tusk_client_breaker_state' && s.labels.endpoint === servers[0]!.address).length, 0,
        'the departed endpoint\'s breaker series is dropped');
      assert.equal(samples.filter((s) => s.name === 'tusk_client_breaker_state').length, 2);
      assert.deepEqual((await client.echo({ text: 'still served' })).text, 'still served');
    } finally {
      await closeClient(client);
      await Promise.all([publisher.close(), watcher.close()]);
      await Promise.all(servers.map((server) => server.stop()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

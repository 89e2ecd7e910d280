import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveDescriptor, resolveServiceConfig, type RawDescriptor, type ServiceDescriptor } from '../../../src/config/index.js';

const FILE = 'user/v1/user.tsk';
const resolve = (raw: RawDescriptor, env: NodeJS.ProcessEnv = {}) => resolveDescriptor(raw, FILE, 'user.v1.UserService', env);

function assertConfigError(run: () => unknown, message: string, variable?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.message, message);
    assert.equal(error.variable, variable);
    return true;
  });
}

test('an empty descriptor resolves to the documented defaults', () => {
  assert.deepEqual(resolveDescriptor({}, null, 'a.v1.Svc', {}), {
    source: null,
    service: { name: 'a.v1.Svc', version: '0.0.0', port: 0, host: '0.0.0.0', advertiseHost: null, metadata: {} },
    discovery: { provider: 'local', endpoints: ['127.0.0.1:2379'], prefix: 'services', ttlMs: 10_000, dir: join(tmpdir(), `tusk-grpc-registry-${process.getuid!()}`), tls: null, username: null, password: null },
    server: {
      drainDelayMs: null,
      shutdownGraceMs: 10_000,
      transport: 'grpc-js',
      reflection: true,
      maxReceiveMessageBytes: 4 * 1024 * 1024,
      maxSendMessageBytes: 4 * 1024 * 1024,
      maxConcurrentStreams: 1000,
      keepalive: { timeMs: 60_000, timeoutMs: 20_000, minClientPingIntervalMs: 10_000 },
      maxConnectionIdleMs: 600_000,
      maxConnectionAgeMs: null,
      overload: {
        enabled: true, limiter: 'gradient2', initialLimit: 100, minLimit: 4, maxLimit: 1000, smoothing: 0.2, shortWindow: 10, longWindow: 600,
        tolerance: 1.5, latencySlackMs: 50, backoffRatio: 0.9, latencyThresholdMs: 1000, maxLoopDelayMs: 100, maxLoopUtilization: 1,
        criticalReserve: 0.1, sheddableShare: 0.7, deadlineAware: true, pushbackMs: 100, trustPriorityHeader: false,
      },
    },
    client: {
      balancer: 'p2c_ewma',
      timeoutMs: 2000,
      transport: 'grpc-js',
      retry: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 25, maxDelayMs: 1000, on: ['UNAVAILABLE'], budget: 0.2 },
      circuitBreaker: { strategy: 'consecutive', threshold: 5, halfOpenAfterMs: 5000, windowMs: 10_000, minimumRps: 5, on: ['UNAVAILABLE', 'DEADLINE_EXCEEDED'] },
      bulkhead: null,
      adaptiveLimit: null,
      maxReceiveMessageBytes: 4 * 1024 * 1024,
      maxSendMessageBytes: 4 * 1024 * 1024,
      keepalive: { timeMs: 300_000, timeoutMs: 20_000, permitWithoutCalls: false },
    },
    methods: {},
    dependencies: {},
    telemetry: { metricsPort: null, logLevel: 'info' },
    auth: null,
    tls: { cert: null, key: null, ca: null, clientAuth: 'none', reloadIntervalMs: 5_000 },
    events: {
      broker: 'local', servers: ['127.0.0.1:4222'], prefix: 'events', stream: 'TUSK_EVENTS', retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000,
      dir: join(tmpdir(), `tusk-grpc-events-${process.getuid!()}`), publishes: [],
    },
    subscriptions: {},
  });
});

test('written values replace defaults key by key; durations become milliseconds', () => {
  const resolved = resolve({
    service: { version: '1.2.3', metadata: { region: 'eu', weight: 100, canary: false } },
    discovery: { provider: 'static', endpoints: 'a:1, b:2', ttl: '1m30s' },
    client: { timeout: '1.5s', retry: { max_attempts: 5, on: ['UNAVAILABLE', 'ABORTED'] }, bulkhead: { max_concurrent: 8 } },
    telemetry: { metrics_port: 9464 },
  });
  assert.equal(resolved.service.version, '1.2.3');
  assert.deepEqual(resolved.service.metadata, { region: 'eu', weight: 100, canary: false });
  assert.deepEqual(resolved.discovery.endpoints, ['a:1', 'b:2']);
  assert.equal(resolved.discovery.ttlMs, 90_000);
  assert.equal(resolved.client.timeoutMs, 1500);
  assert.deepEqual(resolved.client.retry, { maxAttempts: 5, backoff: 'exponential', initialDelayMs: 25, maxDelayMs: 1000, on: ['UNAVAILABLE', 'ABORTED'], budget: 0.2 });
  assert.deepEqual(resolved.client.bulkhead, { maxConcurrent: 8, queue: 0 });
  assert.equal(resolved.telemetry.metricsPort, 9464);
});

test('@env strings are coerced to each key\'s type', () => {
  const env = (name: string, fallback?: RawDescriptor[string]) => (fallback === undefined ? { '@env': name } : { '@env': name, default: fallback });
  const resolved = resolve({
    service: { port: env('PORT', 0), metadata: { weight: env('WEIGHT', 1), zone: env('ZONE', 'a'), canary: env('CANARY', false) } },
    discovery: { endpoints: env('EPS'), ttl: env('TTL', '10s') },
    server: { reflection: env('REFLECT', true) },
    client: { balancer: env('BAL'), retry: { on: env('CODES'), budget: env('BUDGET') } },
    telemetry: { metrics_port: env('METRICS', 9000) },
  }, {
    PORT: ' 8080 ', WEIGHT: '42', ZONE: '7', CANARY: 'yes', EPS: 'e1:1,e2:2, e3:3', TTL: '30s', REFLECT: 'false',
    BAL: 'round_robin', CODES: 'UNAVAILABLE,RESOURCE_EXHAUSTED', BUDGET: '0.5', METRICS: 'off',
  });
  assert.equal(resolved.service.port, 8080);
  assert.deepEqual(resolved.service.metadata, { weight: 42, zone: '7', canary: true });
  assert.deepEqual(resolved.discovery.endpoints, ['e1:1', 'e2:2', 'e3:3']);
  assert.equal(resolved.discovery.ttlMs, 30_000);
  assert.equal(resolved.server.reflection, false);
  assert.equal(resolved.client.balancer, 'round_robin');
  assert.deepEqual(resolved.client.retry.on, ['UNAVAILABLE', 'RESOURCE_EXHAUSTED']);
  assert.equal(resolved.client.retry.budget, 0.5);
  assert.equal(resolved.telemetry.metricsPort, null);
});

test('an unset or empty @env falls back to its default; a null default leaves the key unset (its own default)', () => {
  const raw: RawDescriptor = {
    service: { port: { '@env': 'PORT', default: 7000 }, version: { '@env': 'VERSION', default: null } },
    client: { retry: { on: [{ '@env': 'EXTRA', default: null }, 'ABORTED'] } },
  };
  assert.equal(resolve(raw, {}).service.port, 7000);
  assert.equal(resolve(raw, { PORT: '' }).service.port, 7000);
  assert.equal(resolve(raw, {}).service.version, '0.0.0');
  assert.deepEqual(resolve(raw, {}).client.retry.on, ['ABORTED']);
  assert.deepEqual(resolve(raw, { EXTRA: 'UNAVAILABLE' }).client.retry.on, ['UNAVAILABLE', 'ABORTED']);
  assert.equal(resolve({ service: { port: { '@env': 'A', default: { '@env': 'B', default: 1 } } } }, { B: '2' }).service.port, 2);
});

test('@env without a default and its variable unset or empty is an error naming the variable and the @env\'s line:col', () => {
  const missing = (name: string) => `@env("${name}") has no default and ${name} is not set: set ${name}, or write @env("${name}", default) (null leaves the key unset)`;
  for (const env of [{}, { USER_PORT: '' }]) {
    assertConfigError(() => resolve({ service: { port: { '@env': 'USER_PORT', '@at': '5:7' } } }, env),
      `user/v1/user.tsk:5:7: [service] port: ${missing('USER_PORT')}`, 'USER_PORT');
  }
  assertConfigError(() => resolve({ client: { retry: { on: [{ '@env': 'EXTRA', '@at': '9:18' }, 'ABORTED'] } } }),
    `user/v1/user.tsk:9:18: [client] retry.on: ${missing('EXTRA')}`, 'EXTRA');
  assertConfigError(() => resolve({ service: { metadata: { zone: { '@env': 'ZONE', '@at': '6:18' } } } }),
    `user/v1/user.tsk:6:18: [service] metadata.zone: ${missing('ZONE')}`, 'ZONE');
  // The innermost @env of a chain is the one without a default.
  assertConfigError(() => resolve({ service: { port: { '@env': 'A', '@at': '2:7', default: { '@env': 'B', '@at': '2:17' } } } }),
    `user/v1/user.tsk:2:17: [service] port: ${missing('B')}`, 'B');
  // A hand-built descriptor has no positions: the file and key still say where.
  assertConfigError(() => resolve({ service: { port: { '@env': 'USER_PORT' } } }), `user/v1/user.tsk: [service] port: ${missing('USER_PORT')}`, 'USER_PORT');
  assert.equal(resolve({ service: { port: { '@env': 'USER_PORT', '@at': '5:7' } } }, { USER_PORT: '8080' }).service.port, 8080);
});

test('a null @env default on a key that takes null is null; a required key left unset by one is a positioned error', () => {
  assert.equal(resolve({ telemetry: { metrics_port: { '@env': 'METRICS', default: null } } }).telemetry.metricsPort, null);
  assert.equal(resolve({ telemetry: { metrics_port: { '@env': 'METRICS', default: null } } }, { METRICS: '9464' }).telemetry.metricsPort, 9464);
  assertConfigError(() => resolve({ dependencies: { users: { service: { '@env': 'USERS', '@at': '12:14', default: null }, timeout: '1s' } } }),
    'user/v1/user.tsk:12:14: [dependencies] users: missing key "service" (full proto name of the called service): USERS is not set', 'USERS');
});

test('bad environment values throw a ConfigError naming file, section, key and variable', () => {
  assertConfigError(() => resolve({ service: { port: { '@env': 'USER_PORT', '@at': '4:7', default: 0 } } }, { USER_PORT: 'abc' }),
    'user/v1/user.tsk:4:7: [service] port: USER_PORT="abc" is not a number', 'USER_PORT');
  assertConfigError(() => resolve({ service: { port: { '@env': 'USER_PORT', default: 0 } } }, { USER_PORT: 'abc' }),
    'user/v1/user.tsk: [service] port: USER_PORT="abc" is not a number', 'USER_PORT');
  assertConfigError(() => resolve({ service: { port: { '@env': 'USER_PORT' } } }, { USER_PORT: '70000' }),
    'user/v1/user.tsk: [service] port: USER_PORT="70000" is not an integer from 0 to 65535', 'USER_PORT');
  assertConfigError(() => resolve({ server: { reflection: { '@env': 'R' } } }, { R: 'maybe' }),
    'user/v1/user.tsk: [server] reflection: R="maybe" is not a boolean (true/false, 1/0, yes/no)', 'R');
  assertConfigError(() => resolve({ client: { retry: { max_delay: { '@env': 'D' } } } }, { D: '2 seconds' }),
    'user/v1/user.tsk: [client] retry.max_delay: D="2 seconds" is not a duration (use a number with a unit: "250ms", "5s", "1.5s", "1m", "1m30s", "1h")', 'D');
  assertConfigError(() => resolve({ client: { balancer: { '@env': 'B' } } }, { B: 'p2c' }),
    'user/v1/user.tsk: [client] balancer: B="p2c" is not one of round_robin, random, weighted, least_request, p2c_ewma, ring_hash', 'B');
  assertConfigError(() => resolve({ client: { retry: { on: { '@env': 'C' } } } }, { C: 'UNAVAILABLE,unavailible' }),
    'user/v1/user.tsk: [client] retry.on: C="UNAVAILABLE,unavailible" has "unavailible", which is not a gRPC status code name (did you mean "UNAVAILABLE"?)', 'C');
  assertConfigError(() => resolve({ service: { metadata: { weight: { '@env': 'W', default: 100 } } } }, { W: 'heavy' }),
    'user/v1/user.tsk: [service] metadata.weight: W="heavy" is not a number', 'W');
  assertConfigError(() => resolveDescriptor({ service: { port: { '@env': 'P' } } }, null, 'a.v1.Svc', { P: 'x' }),
    'a.v1.Svc (no .tsk): [service] port: P="x" is not a number', 'P');
});

test('invalid literal values and unknown names in a raw descriptor are ConfigErrors too', () => {
  assertConfigError(() => resolve({ client: { timeout: 500 } }), 'user/v1/user.tsk: [client] timeout: 500 is not a duration: write the unit, e.g. "500ms"');
  assertConfigError(() => resolve({ clinet: {} }), 'user/v1/user.tsk: [clinet]: unknown section (did you mean "client"?)');
  assertConfigError(() => resolve({ client: { retries: {} } }), 'user/v1/user.tsk: [client]: unknown key "retries"');
  assertConfigError(() => resolve({ client: { bulkhead: { queue: 1 } } }), 'user/v1/user.tsk: [client] bulkhead: missing key "max_concurrent" (calls running at once)');
});

test('a breaker threshold default follows the strategy, even one read from the environment', () => {
  const raw: RawDescriptor = { client: { circuit_breaker: { strategy: { '@env': 'S', default: 'consecutive' } } } };
  assert.equal(resolve(raw, {}).client.circuitBreaker.threshold, 5);
  assert.equal(resolve(raw, { S: 'sampling' }).client.circuitBreaker.threshold, 0.5);
  assertConfigError(() => resolve({ client: { circuit_breaker: { strategy: { '@env': 'S' }, threshold: 5 } } }, { S: 'sampling' }),
    'user/v1/user.tsk: [client] circuit_breaker.threshold: 5 is not a failure ratio above 0 and at most 1 (strategy "sampling")');
});

test('contract variables override the descriptor, @env values included', () => {
  const raw: RawDescriptor = {
    service: { advertise_host: '10.0.0.1' },
    discovery: { provider: { '@env': 'MY_DISCOVERY', default: 'static' }, endpoints: 'svc-a:1' },
    telemetry: { log_level: 'warn' },
  };
  const plain = resolve(raw, { TUSK_ETCD_ENDPOINTS: 'etcd1:2379' });
  assert.equal(plain.discovery.provider, 'static');
  assert.deepEqual(plain.discovery.endpoints, ['svc-a:1'], 'TUSK_ETCD_ENDPOINTS applies only when the provider is etcd');
  assert.equal(plain.service.advertiseHost, '10.0.0.1');
  assert.equal(plain.telemetry.logLevel, 'warn');

  const overridden = resolve(raw, {
    MY_DISCOVERY: 'local', TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: 'etcd1:2379, etcd2:2379',
    TUSK_ADVERTISE_HOST: 'node-7.internal', TUSK_LOG_LEVEL: 'debug',
  });
  assert.equal(overridden.discovery.provider, 'etcd');
  assert.deepEqual(overridden.discovery.endpoints, ['etcd1:2379', 'etcd2:2379']);
  assert.equal(overridden.service.advertiseHost, 'node-7.internal');
  assert.equal(overridden.telemetry.logLevel, 'debug');

  const empty = resolve(raw, { TUSK_DISCOVERY: '', TUSK_LOG_LEVEL: '' });
  assert.equal(empty.discovery.provider, 'static', 'an empty variable counts as unset');
  assert.equal(empty.telemetry.logLevel, 'warn');
});

test('bad contract variables name the variable and the key they override', () => {
  assertConfigError(() => resolve({}, { TUSK_DISCOVERY: 'consul' }),
    'user/v1/user.tsk: [discovery] provider: TUSK_DISCOVERY="consul" is not one of etcd, local, static', 'TUSK_DISCOVERY');
  assertConfigError(() => resolve({}, { TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: ' , ' }).discovery,
    'user/v1/user.tsk: [discovery] endpoints: TUSK_ETCD_ENDPOINTS=" , " is an empty list', 'TUSK_ETCD_ENDPOINTS');
  assertConfigError(() => resolve({}, { TUSK_ADVERTISE_HOST: '0.0.0.0' }),
    'user/v1/user.tsk: [service] advertise_host: TUSK_ADVERTISE_HOST="0.0.0.0" is not an address others can reach', 'TUSK_ADVERTISE_HOST');
  assertConfigError(() => resolve({}, { TUSK_LOG_LEVEL: 'loud' }),
    'user/v1/user.tsk: [telemetry] log_level: TUSK_LOG_LEVEL="loud" is not one of trace, debug, info, warn, error, fatal, silent', 'TUSK_LOG_LEVEL');
});

test('[methods] are partial overrides with idempotent false unless written', () => {
  const resolved = resolve({ methods: { GetUser: { timeout: '300ms', idempotent: true, retry: { max_attempts: 5 } }, CreateUser: { balancer: 'random' } } });
  assert.deepEqual(resolved.methods, {
    GetUser: { timeoutMs: 300, idempotent: true, retry: { maxAttempts: 5 } },
    CreateUser: { idempotent: false, balancer: 'random' },
  });
});

test('[dependencies] are keyed by target service, partial, with their alias kept', () => {
  const resolved = resolve({
    dependencies: {
      users: {
        service: 'user.v1.UserService', timeout: '500ms', circuit_breaker: { threshold: 3 }, bulkhead: { max_concurrent: 4 },
        methods: { GetUser: { idempotent: true } }, discovery: { provider: 'static', endpoints: ['u:1'] },
      },
      orders: { service: 'order.v1.OrderService', bulkhead: null },
    },
  });
  assert.deepEqual(resolved.dependencies, {
    'user.v1.UserService': {
      alias: 'users', service: 'user.v1.UserService', timeoutMs: 500, circuitBreaker: { threshold: 3 }, bulkhead: { maxConcurrent: 4, queue: 0 },
      methods: { GetUser: { idempotent: true } }, discovery: { provider: 'static', endpoints: ['u:1'] },
    },
    'order.v1.OrderService': { alias: 'orders', service: 'order.v1.OrderService', bulkhead: null },
  });
  assertConfigError(() => resolve({ dependencies: { a: { service: 'x.Y' }, b: { service: 'x.Y' } } }),
    'user/v1/user.tsk: [dependencies] b: service "x.Y" is already configured by a');
  assertConfigError(() => resolve({ dependencies: { a: { timeout: '1s' } } }),
    'user/v1/user.tsk: [dependencies] a: missing key "service" (full proto name of the called service)');
});

test('resolveServiceConfig resolves once per descriptor for process.env, afresh for any other env', () => {
  const descriptor: ServiceDescriptor = {
    name: 'cache.v1.Svc', protoFile: 'cache/v1/svc.proto', descriptorFile: 'cache/v1/svc.tsk', methods: {},
    config: { service: { port: { '@env': 'TUSK_TEST_CACHE_PORT', default: 1 } } },
  };
  const first = resolveServiceConfig(descriptor);
  assert.equal(first.source, 'cache/v1/svc.tsk');
  assert.equal(first.service.name, 'cache.v1.Svc');
  assert.equal(resolveServiceConfig(descriptor), first);
  const other = resolveServiceConfig(descriptor, { TUSK_TEST_CACHE_PORT: '2' });
  assert.equal(other.service.port, 2);
  assert.notEqual(resolveServiceConfig(descriptor, {}), other);
});

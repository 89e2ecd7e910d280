import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError, defineService, effectiveClientConfig, findDependency, type RawDescriptor, type ServiceDescriptor,
} from '../../../src/config/index.js';
import { stubMethods } from '../../helpers/stub-methods.js';
import type { ClientOptions } from '../../../src/client/index.js';
import { ServiceBase } from '../../../src/server/index.js';

let counter = 0;
/** A defined (process-wide) descriptor with a unique name, as a generated module would define it on import. */
function service(config: RawDescriptor, methods: readonly string[] = ['GetThing', 'CreateThing']): ServiceDescriptor {
  const name = `policy.v1.Service${++counter}`;
  return defineService({
    name, protoFile: `policy/v1/s${counter}.proto`, descriptorFile: `policy/v1/s${counter}.tsk`,
    methods: stubMethods(name, methods), config,
  });
}
/** A caller whose [dependencies] entry targets `target`. */
function callerOf(target: ServiceDescriptor, entry: Record<string, RawDescriptor[string]>): ServiceDescriptor {
  return service({ dependencies: { dep: { service: target.name, ...entry } } }, []);
}

const DEFAULT_RETRY = { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 25, maxDelayMs: 1000, on: ['UNAVAILABLE'], budget: 0.2 };

test('with no descriptor settings every method gets the built-in defaults', () => {
  const target = service({});
  const config = effectiveClientConfig(target, {}, {});
  assert.deepEqual(config.policy, {
    transport: 'grpc-js', balancer: 'p2c_ewma', timeoutMs: 2000, retry: DEFAULT_RETRY,
    circuitBreaker: { strategy: 'consecutive', threshold: 5, halfOpenAfterMs: 5000, windowMs: 10_000, minimumRps: 5, on: ['UNAVAILABLE', 'DEADLINE_EXCEEDED'] }, bulkhead: null, adaptiveLimit: null,
    maxReceiveMessageBytes: 4 * 1024 * 1024, maxSendMessageBytes: 4 * 1024 * 1024, keepalive: { timeMs: 300_000, timeoutMs: 20_000, permitWithoutCalls: false },
  });
  const expected = { timeoutMs: 2000, idempotent: false, balancer: 'p2c_ewma', retry: DEFAULT_RETRY };
  assert.deepEqual(config.methods, { GetThing: expected, CreateThing: expected });
  assert.equal(config.discovery.provider, 'local');
});

test('the target\'s [client] and [methods] come next; a method\'s own value beats its [client] value', () => {
  const target = service({
    client: { balancer: 'random', timeout: '1s', retry: { budget: 0.5 } },
    methods: { GetThing: { timeout: '300ms', idempotent: true, retry: { max_attempts: 5 } } },
  });
  const config = effectiveClientConfig(target, {}, {});
  assert.equal(config.policy.balancer, 'random');
  assert.equal(config.policy.timeoutMs, 1000);
  assert.deepEqual(config.methods.GetThing, { timeoutMs: 300, idempotent: true, balancer: 'random', retry: { ...DEFAULT_RETRY, maxAttempts: 5, budget: 0.5 } });
  assert.deepEqual(config.methods.CreateThing, { timeoutMs: 1000, idempotent: false, balancer: 'random', retry: { ...DEFAULT_RETRY, budget: 0.5 } });
});

test('the caller\'s [dependencies] entry overrides the target; ClientOptions override both', () => {
  const target = service({
    client: { timeout: '1s', bulkhead: { max_concurrent: 2 } },
    methods: { GetThing: { timeout: '300ms', idempotent: true, retry: { max_attempts: 5 } } },
  });
  const caller = callerOf(target, {
    balancer: 'round_robin', timeout: '500ms', retry: { budget: 0.1 }, bulkhead: { max_concurrent: 4, queue: 8 },
    methods: { CreateThing: { timeout: '5s', idempotent: true } },
  });
  const dependency = findDependency(caller, target.name, {});
  assert.equal(dependency?.alias, 'dep');
  assert.equal(dependency?.timeoutMs, 500);

  const fromDependency = effectiveClientConfig(target, { caller }, {});
  assert.equal(fromDependency.policy.balancer, 'round_robin');
  assert.equal(fromDependency.policy.timeoutMs, 500);
  assert.deepEqual(fromDependency.policy.bulkhead, { maxConcurrent: 4, queue: 8 });
  // The caller's service-wide timeout is a later layer than the target's per-method one.
  assert.deepEqual(fromDependency.methods.GetThing, { timeoutMs: 500, idempotent: true, balancer: 'round_robin', retry: { ...DEFAULT_RETRY, maxAttempts: 5, budget: 0.1 } });
  assert.deepEqual(fromDependency.methods.CreateThing, { timeoutMs: 5000, idempotent: true, balancer: 'round_robin', retry: { ...DEFAULT_RETRY, budget: 0.1 } });

  const fromOptions = effectiveClientConfig(target, {
    caller,
    balancer: 'least_request', timeout: 100, retry: { maxAttempts: 2 }, bulkhead: null,
    methods: { GetThing: { timeoutMs: 50, idempotent: false }, CreateThing: { balancer: 'ring_hash' } },
  }, {});
  assert.equal(fromOptions.policy.balancer, 'least_request');
  assert.equal(fromOptions.policy.timeoutMs, 100);
  assert.equal(fromOptions.policy.bulkhead, null);
  assert.deepEqual(fromOptions.methods.GetThing, { timeoutMs: 50, idempotent: false, balancer: 'least_request', retry: { ...DEFAULT_RETRY, maxAttempts: 2, budget: 0.1 } });
  assert.deepEqual(fromOptions.methods.CreateThing, { timeoutMs: 100, idempotent: true, balancer: 'ring_hash', retry: { ...DEFAULT_RETRY, maxAttempts: 2, budget: 0.1 } });
});

test('discovery: the target\'s section plus TUSK_* variables, then the dependency, then options', () => {
  const target = service({ discovery: { provider: 'local', prefix: 'svc' } });
  const env = { TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: 'etcd1:2379,etcd2:2379' };
  assert.deepEqual(effectiveClientConfig(target, {}, env).discovery, {
    ...effectiveClientConfig(target, {}, {}).discovery, provider: 'etcd', endpoints: ['etcd1:2379', 'etcd2:2379'], prefix: 'svc',
  });
  const caller = callerOf(target, { discovery: { prefix: 'elsewhere', ttl: '20s' } });
  const withDependency = effectiveClientConfig(target, { caller }, env).discovery;
  assert.equal(withDependency.prefix, 'elsewhere');
  assert.equal(withDependency.ttlMs, 20_000);
  assert.equal(withDependency.provider, 'etcd');

  assert.equal(effectiveClientConfig(target, {}, env).discovery.prefix, 'svc', 'without a caller its entry does not apply');
  assert.deepEqual(effectiveClientConfig(target, { caller, discovery: { prefix: 'mine' } }, env).discovery.prefix, 'mine');
  const fixed = effectiveClientConfig(target, { endpoints: ['127.0.0.1:5001', '127.0.0.1:5002'] }, env).discovery;
  assert.equal(fixed.provider, 'static');
  assert.deepEqual(fixed.endpoints, ['127.0.0.1:5001', '127.0.0.1:5002']);
});

test('the TUSK_* variables override the target\'s [discovery], not what a caller\'s entry writes', () => {
  const target = service({ discovery: { provider: 'local' } });
  const caller = callerOf(target, { discovery: { provider: 'static', endpoints: ['127.0.0.1:5001'], dir: '/tmp/entry-dir' } });
  const env = { TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: 'e:1', TUSK_REGISTRY_DIR: '/tmp/env-dir' };
  const discovery = effectiveClientConfig(target, { caller }, env).discovery;
  assert.deepEqual([discovery.provider, discovery.endpoints, discovery.dir], ['static', ['127.0.0.1:5001'], '/tmp/entry-dir']);
  assert.deepEqual(effectiveClientConfig(target, {}, env).discovery.provider, 'etcd');
});

test('a layer that switches the provider to etcd takes the cluster from TUSK_ETCD_ENDPOINTS', () => {
  const target = service({ discovery: { provider: 'local' } });
  const switched = effectiveClientConfig(target, { discovery: { provider: 'etcd' } }, { TUSK_ETCD_ENDPOINTS: 'e:1' }).discovery;
  assert.deepEqual([switched.provider, switched.endpoints], ['etcd', ['e:1']]);
  const explicit = effectiveClientConfig(target, { discovery: { provider: 'etcd', endpoints: ['x:2'] } }, { TUSK_ETCD_ENDPOINTS: 'e:1' }).discovery;
  assert.deepEqual(explicit.endpoints, ['x:2']);
});

test('switching breaker strategy without a threshold takes that strategy\'s default threshold', () => {
  const target = service({ client: { circuit_breaker: { threshold: 7 } } });
  assert.equal(effectiveClientConfig(target, {}, {}).policy.circuitBreaker.threshold, 7);
  const sampling = effectiveClientConfig(target, { circuitBreaker: { strategy: 'sampling' } }, {}).policy.circuitBreaker;
  assert.deepEqual([sampling.strategy, sampling.threshold], ['sampling', 0.5]);
  const explicit = effectiveClientConfig(target, { circuitBreaker: { strategy: 'sampling', threshold: 0.3 } }, {}).policy.circuitBreaker;
  assert.equal(explicit.threshold, 0.3);
  const sameStrategy = effectiveClientConfig(target, { circuitBreaker: { strategy: 'consecutive', halfOpenAfterMs: 10 } }, {}).policy.circuitBreaker;
  assert.deepEqual([sameStrategy.threshold, sameStrategy.halfOpenAfterMs], [7, 10]);
});

test('method names in overrides must be methods of the target', () => {
  const target = service({});
  const caller = callerOf(target, { methods: { GetThnig: { idempotent: true } } });
  assert.throws(() => effectiveClientConfig(target, { caller }, {}), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, `${caller.descriptorFile}: [dependencies] dep.methods: unknown method "GetThnig" of ${target.name} (did you mean "GetThing"?)`);
    return true;
  });
  const other = service({});
  assert.throws(() => effectiveClientConfig(other, { methods: { creatething: { idempotent: true } } }, {}),
    new TypeError(`client options for ${other.name}: unknown method "creatething" (did you mean "CreateThing"?)`));
});

test('a client built without a caller gets the target\'s own policy, whatever descriptors the process imported', () => {
  // The case a user hit: importing another caller's generated module changed a direct call's timeout.
  const target = service({ client: { timeout: '2s' }, methods: { GetThing: { timeout: '500ms' } } });
  const inventory = callerOf(target, { timeout: '800ms' });
  const orders = callerOf(target, { timeout: '300ms', methods: { GetThing: { timeout: '1.5s' } } });
  assert.equal(effectiveClientConfig(target, {}, {}).methods.GetThing!.timeoutMs, 500);
  assert.equal(effectiveClientConfig(target, {}, {}).methods.CreateThing!.timeoutMs, 2000);
  // Each caller gets its own entry, whichever was defined first.
  assert.equal(effectiveClientConfig(target, { caller: inventory }, {}).methods.CreateThing!.timeoutMs, 800);
  assert.equal(effectiveClientConfig(target, { caller: orders }, {}).methods.CreateThing!.timeoutMs, 300);
  assert.equal(effectiveClientConfig(target, { caller: orders }, {}).methods.GetThing!.timeoutMs, 1500);
  // A caller without an entry for the target changes nothing.
  const bystander = service({ dependencies: { other: { service: 'elsewhere.v1.Other', timeout: '9s' } } }, []);
  assert.equal(effectiveClientConfig(target, { caller: bystander }, {}).methods.GetThing!.timeoutMs, 500);
});

test('precedence: the caller\'s service-wide timeout beats the target\'s per-method timeout, every time', () => {
  const target = service({ client: { timeout: '2s' }, methods: { GetThing: { timeout: '500ms' } } });
  const caller = callerOf(target, { timeout: '800ms' });
  for (let round = 0; round < 3; round++) {
    const config = effectiveClientConfig(target, { caller }, {});
    assert.equal(config.methods.GetThing!.timeoutMs, 800, 'a later layer beats an earlier one, even a method value');
    assert.equal(config.policy.timeoutMs, 800);
  }
  // Options come last: their service-wide timeout beats the caller's per-method one, their method value beats that.
  const withMethod = callerOf(target, { methods: { GetThing: { timeout: '900ms' } } });
  assert.equal(effectiveClientConfig(target, { caller: withMethod }, {}).methods.GetThing!.timeoutMs, 900);
  assert.equal(effectiveClientConfig(target, { caller: withMethod, timeout: 100 }, {}).methods.GetThing!.timeoutMs, 100);
  assert.equal(effectiveClientConfig(target, { caller: withMethod, timeout: 100, methods: { GetThing: { timeoutMs: 50 } } }, {}).methods.GetThing!.timeoutMs, 50);
});

test('precedence table: of the layers that set a method\'s timeout, the latest in the README\'s order wins, for every combination', () => {
  // README "Precedence, later wins", each layer with its own value (ms) so the winner is visible.
  const layers = [
    ['target [client]', 1100], ['target [methods]', 1200], ['caller entry', 1300], ['caller entry methods', 1400], ['options', 1500], ['options methods', 1600],
  ] as const;
  for (let present = 0; present < 1 << layers.length; present++) {
    const has = (index: number): boolean => (present & (1 << index)) !== 0;
    const ms = (index: number): string => `${layers[index]![1]}ms`;
    const target = service({
      ...(has(0) ? { client: { timeout: ms(0) } } : {}),
      ...(has(1) ? { methods: { GetThing: { timeout: ms(1) } } } : {}),
    });
    const caller = callerOf(target, {
      ...(has(2) ? { timeout: ms(2) } : {}),
      ...(has(3) ? { methods: { GetThing: { timeout: ms(3) } } } : {}),
    });
    const options: ClientOptions = {
      caller,
      ...(has(4) ? { timeout: layers[4][1] } : {}),
      ...(has(5) ? { methods: { GetThing: { timeoutMs: layers[5][1] } } } : {}),
    };
    const winner = [...layers.keys()].filter(has).at(-1);
    const expected = winner === undefined ? 2000 : layers[winner]![1];
    const shown = layers.filter((_, index) => has(index)).map(([name]) => name).join(' + ') || 'none';
    assert.equal(effectiveClientConfig(target, options, {}).methods.GetThing!.timeoutMs, expected, `layers set: ${shown}`);
  }
});

/** A hand-made service class, as a generated base would be. */
function serviceClass(descriptor: ServiceDescriptor): ServiceBase {
  return new (class extends ServiceBase {
    readonly descriptor = descriptor;
  })();
}

test('a service builds clients as itself with clientOf(); a different caller in its options is an error', () => {
  const target = service({ methods: { GetThing: { timeout: '500ms' } } });
  const caller = callerOf(target, { timeout: '800ms' });
  const seen: ClientOptions[] = [];
  const factory = (options?: ClientOptions) => {
    seen.push(options ?? {});
    return effectiveClientConfig(target, options, {});
  };
  const instance = serviceClass(caller);
  assert.equal(instance.clientOf(factory).methods.GetThing!.timeoutMs, 800);
  assert.equal(instance.clientOf(factory, { timeout: 100 }).methods.GetThing!.timeoutMs, 100);
  assert.equal(seen[1]!.caller, caller);
  // Naming the same caller again is fine, by descriptor or by instance.
  assert.equal(instance.clientOf(factory, { caller }).methods.GetThing!.timeoutMs, 800);
  assert.equal(effectiveClientConfig(target, { caller: instance }, {}).methods.GetThing!.timeoutMs, 800);
  const other = service({}, []);
  assert.throws(() => instance.clientOf(factory, { caller: other }),
    new TypeError(`clientOf(): options.caller is ${other.name}, but ${caller.name} is building this client; a client has one caller`));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSet } from '../../../src/client/endpoint-set.js';
import { setClientStateObserver } from '../../../src/client/client-observer.js';
import { TransportPool } from '../../../src/client/transport-pool.js';
import type { Transport } from '../../../src/client/transport.js';
import type { Endpoint, EndpointsListener, Registry } from '../../../src/discovery/types.js';

const breakerPolicy = { strategy: 'consecutive', threshold: 1, halfOpenAfterMs: 60_000, windowMs: 1_000, minimumRps: 1 } as const;

function fakePool(): { pool: TransportPool; closed: string[] } {
  const closed: string[] = [];
  const pool = new TransportPool((address) => ({ address, close: () => closed.push(address) }) as unknown as Transport);
  return { pool, closed };
}

function fakeRegistry(): { registry: Registry; publish(list: Endpoint[]): void; unwatched: () => boolean } {
  let listener: EndpointsListener | undefined;
  let unwatched = false;
  const registry: Registry = {
    register: () => Promise.reject(new Error('unused')),
    watch: (_service, next) => {
      listener = next;
      return () => (unwatched = true);
    },
    close: () => Promise.resolve(),
  };
  return { registry, publish: (list) => listener!(list), unwatched: () => unwatched };
}

const endpoint = (address: string, weight = 100): Endpoint => ({ address, metadata: { weight } });

test('follows the registry: transports for new endpoints, released when they leave, shared across sets', () => {
  const { pool, closed } = fakePool();
  const { registry, publish, unwatched } = fakeRegistry();
  const one = new EndpointSet('svc', { registry }, pool, breakerPolicy);
  const two = new EndpointSet('svc', { addresses: ['a:1'] }, pool, breakerPolicy);
  assert.notEqual(one.whenKnown(10), undefined, 'nothing known before the first list');
  publish([endpoint('a:1'), endpoint('b:2')]);
  assert.equal(one.whenKnown(10), undefined);
  assert.deepEqual(one.all.map((e) => e.address), ['a:1', 'b:2']);
  assert.equal(one.all[0]!.transport, two.all[0]!.transport, 'one transport per address in the process');
  assert.equal(pool.snapshot().get('a:1'), 2);

  const breakerOfB = one.all[1]!.breaker;
  publish([endpoint('b:2', 5), endpoint('c:3')]);
  assert.deepEqual(one.all.map((e) => e.address), ['b:2', 'c:3']);
  assert.equal(one.all[0]!.breaker, breakerOfB, 'a staying endpoint keeps its breaker');
  assert.deepEqual(one.all[0]!.metadata, { weight: 5 });
  assert.deepEqual(closed, [], 'a:1 is still used by the other set');
  two.close();
  assert.deepEqual(closed, ['a:1']);
  one.close();
  assert.deepEqual(closed.sort(), ['a:1', 'b:2', 'c:3']);
  assert.equal(unwatched(), true);
});

test('usable() skips open breakers and prefers endpoints not tried yet', async () => {
  const { pool } = fakePool();
  const set = new EndpointSet('svc', { addresses: ['a:1', 'b:2', 'c:3'] }, pool, breakerPolicy);
  assert.equal(set.usable(undefined), set.all, 'no allocation on the common path');
  assert.deepEqual(set.usable(['a:1']).map((e) => e.address), ['b:2', 'c:3']);
  assert.deepEqual(set.usable(['a:1', 'b:2', 'c:3']).map((e) => e.address), ['a:1', 'b:2', 'c:3'], 'all tried: any usable one');
  await set.all[1]!.breaker.execute(() => Promise.reject(new Error('down')), () => true).catch(() => {});
  assert.deepEqual(set.usable(undefined).map((e) => e.address), ['a:1', 'c:3']);
  set.close();
});

test('the state observer hears endpoint counts, breaker states and departures', async () => {
  const heard: string[] = [];
  setClientStateObserver({
    endpointsKnown: (service, count) => heard.push(`${service} knows ${count}`),
    breakerState: (_service, endpoint, state) => heard.push(`${endpoint} ${state}`),
    endpointLeft: (_service, endpoint) => heard.push(`${endpoint} left`),
  });
  try {
    const { pool } = fakePool();
    const { registry, publish } = fakeRegistry();
    const set = new EndpointSet('svc', { registry }, pool, breakerPolicy);
    publish([endpoint('a:1'), endpoint('b:2')]);
    await set.all[0]!.breaker.execute(() => Promise.reject(new Error('down')), () => true).catch(() => {});
    publish([endpoint('b:2')]);
    set.close();
    assert.deepEqual(heard, ['a:1 closed', 'b:2 closed', 'svc knows 2', 'a:1 open', 'a:1 left', 'svc knows 1', 'b:2 left', 'svc knows 0']);
  } finally {
    setClientStateObserver(undefined);
  }
});

test('with two clients of one service, an endpoint\'s series is forgotten only when neither uses it', () => {
  const heard: string[] = [];
  setClientStateObserver({
    endpointsKnown: (_service, count) => heard.push(`knows ${count}`),
    endpointLeft: (_service, endpoint) => heard.push(`${endpoint} left`),
  });
  try {
    const { pool } = fakePool();
    const first = new EndpointSet('shared', { addresses: ['a:1', 'b:2'] }, pool, breakerPolicy);
    const second = new EndpointSet('shared', { addresses: ['a:1'] }, pool, breakerPolicy);
    heard.length = 0;
    first.close();
    assert.deepEqual(heard, ['b:2 left', 'knows 1'], 'a:1 is still used by the second client, whose count is reported');
    heard.length = 0;
    second.close();
    assert.deepEqual(heard, ['a:1 left', 'knows 0']);
  } finally {
    setClientStateObserver(undefined);
  }
});

test('onEndpointLeft hears every address that leaves, so per-endpoint state can be pruned', () => {
  const { pool } = fakePool();
  const { registry, publish } = fakeRegistry();
  const set = new EndpointSet('svc', { registry }, pool, breakerPolicy);
  const left: string[] = [];
  set.onEndpointLeft((address) => left.push(address));
  publish([endpoint('a:1'), endpoint('b:2'), endpoint('c:3')]);
  publish([endpoint('b:2')]);
  assert.deepEqual(left, ['a:1', 'c:3']);
  set.close();
  assert.deepEqual(left, ['a:1', 'c:3', 'b:2']);
});

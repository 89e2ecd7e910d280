import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createBalancer,
  endpointWeight,
  LeastRequestBalancer,
  P2cEwmaBalancer,
  RandomBalancer,
  RingHashBalancer,
  RoundRobinBalancer,
  WeightedBalancer,
  type BalancerEndpoint,
} from '../../../src/balancer/index.js';

const endpoints = (...specs: Array<string | [string, number]>): BalancerEndpoint[] =>
  specs.map((spec) => (typeof spec === 'string' ? { address: spec, metadata: {} } : { address: spec[0], metadata: { weight: spec[1] } }));

function counts(pick: () => BalancerEndpoint, times: number): Map<string, number> {
  const result = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    const address = pick().address;
    result.set(address, (result.get(address) ?? 0) + 1);
  }
  return result;
}

/** A deterministic pseudo-random source (mulberry32). */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('round_robin visits every candidate in turn', () => {
  const balancer = new RoundRobinBalancer();
  const list = endpoints('a', 'b', 'c');
  const seen = [0, 1, 2, 3, 4, 5].map(() => balancer.pick(list, {}).address);
  assert.deepEqual(new Set(seen.slice(0, 3)), new Set(['a', 'b', 'c']));
  assert.deepEqual(seen.slice(3), seen.slice(0, 3));
});

test('random spreads picks over all candidates', () => {
  const balancer = new RandomBalancer(seeded(1));
  const result = counts(() => balancer.pick(endpoints('a', 'b', 'c'), {}), 3_000);
  for (const address of ['a', 'b', 'c']) assert.ok(result.get(address)! > 800, `${address}: ${result.get(address)}`);
});

test('weighted follows metadata weight exactly over a cycle; missing weight counts as 100', () => {
  const balancer = new WeightedBalancer();
  const list = endpoints(['a', 300], ['b', 100], 'c');
  const result = counts(() => balancer.pick(list, {}), 500);
  assert.deepEqual([result.get('a'), result.get('b'), result.get('c')], [300, 100, 100]);
  assert.equal(endpointWeight({ address: 'x', metadata: { weight: '50' } }), 50);
  assert.equal(endpointWeight({ address: 'x', metadata: { weight: 'heavy' } }), 100);
  const zero = counts(() => balancer.pick(endpoints(['a', 0], ['b', 10]), {}), 20);
  assert.equal(zero.get('a'), undefined);
});

test('least_request prefers the endpoint with fewer calls in flight', () => {
  const balancer = new LeastRequestBalancer(seeded(2));
  const list = endpoints('busy', 'idle');
  for (let i = 0; i < 5; i++) balancer.onStart('busy');
  assert.equal(counts(() => balancer.pick(list, {}), 100).get('idle'), 100);
  for (let i = 0; i < 5; i++) balancer.onEnd('busy');
  balancer.onStart('idle');
  assert.equal(counts(() => balancer.pick(list, {}), 100).get('busy'), 100);
});

test('p2c_ewma avoids a slow endpoint, reacts to a slowdown at once, and probes it again after a while', () => {
  let now = 0;
  const balancer = new P2cEwmaBalancer(seeded(3), () => now);
  const list = endpoints('fast1', 'fast2', 'slow');
  for (const address of ['fast1', 'fast2']) {
    balancer.onStart(address);
    balancer.onEnd(address, 1, true);
  }
  balancer.onStart('slow');
  balancer.onEnd('slow', 50, true);
  let slowPicks = 0;
  for (let i = 0; i < 1_000; i++) {
    now += 5;
    const picked = balancer.pick(list, {});
    balancer.onStart(picked.address);
    balancer.onEnd(picked.address, picked.address === 'slow' ? 50 : 1, true);
    if (picked.address === 'slow') slowPicks++;
  }
  assert.ok(slowPicks > 0, 'the slow endpoint is still probed now and then');
  assert.ok(slowPicks < 20, `slow got ${slowPicks} of 1000`);
  // Peak: one slow answer from a fast endpoint raises its cost at once.
  balancer.onStart('fast1');
  balancer.onEnd('fast1', 200, true);
  assert.ok(balancer.cost('fast1') > balancer.cost('slow'));
  // A failure costs at least the failure penalty.
  balancer.onStart('fast2');
  balancer.onEnd('fast2', 0.1, false);
  assert.ok(balancer.cost('fast2') >= 200);
});

test('ring_hash keeps a key on one endpoint and moves only the removed endpoint\'s keys', () => {
  const balancer = new RingHashBalancer();
  const list = endpoints('a', 'b', 'c', 'd');
  const keys = Array.from({ length: 400 }, (_, i) => `user-${i}`);
  const before = new Map(keys.map((key) => [key, balancer.pick(list, { hashKey: key }).address]));
  for (const key of keys) assert.equal(balancer.pick(list, { hashKey: key }).address, before.get(key));
  const spread = counts(() => balancer.pick(list, { hashKey: keys[Math.floor(Math.random() * keys.length)]! }), 400);
  assert.equal(spread.size, 4);
  const without = list.filter((endpoint) => endpoint.address !== 'c');
  for (const key of keys) {
    const now = balancer.pick(without, { hashKey: key }).address;
    if (before.get(key) !== 'c') assert.equal(now, before.get(key), `${key} moved`);
  }
});

test('createBalancer builds every configured policy and rejects unknown names', () => {
  for (const name of ['round_robin', 'random', 'weighted', 'least_request', 'p2c_ewma', 'ring_hash'] as const) {
    assert.equal(createBalancer(name).name, name);
  }
  assert.throws(() => createBalancer('fastest' as never), /unknown balancer "fastest"/);
});

test('p2c_ewma forgets an endpoint that left, and a call still running there does not bring it back', () => {
  const balancer = new P2cEwmaBalancer();
  for (const address of ['a', 'b', 'c']) {
    balancer.onStart(address);
    balancer.onEnd(address, 5, true);
  }
  balancer.onStart('c');
  assert.equal(balancer.tracked, 3);
  balancer.forget('b');
  balancer.forget('c');
  assert.equal(balancer.tracked, 1);
  balancer.onEnd('c', 5, true);
  assert.equal(balancer.tracked, 1, 'the late end of a departed endpoint is dropped');
  assert.equal(balancer.cost('c'), 0);
});

test('least_request forgets the in-flight count of an endpoint that left', () => {
  const balancer = new LeastRequestBalancer(() => 0);
  balancer.onStart('gone');
  balancer.forget('gone');
  balancer.onEnd('gone');
  const list = endpoints('gone', 'other');
  balancer.onStart('other');
  assert.equal(balancer.pick(list, {}).address, 'gone', 'no count left behind for the departed address');
});

test('an endpoint that left and came back under the same address: calls of its first life do not count in its second', () => {
  const leastRequest = new LeastRequestBalancer(() => 0);
  leastRequest.onStart('a'); // a long stream, still running when 'a' leaves
  leastRequest.forget('a');
  leastRequest.onStart('a'); // 'a' is back (a restart on the same port): a new call
  leastRequest.onEnd('a'); // the old stream ends
  assert.equal(leastRequest.pick(endpoints('a', 'other'), {}).address, 'other', "the new call still counts as in flight on 'a'");

  const p2c = new P2cEwmaBalancer();
  p2c.onStart('c');
  p2c.forget('c');
  p2c.onStart('c');
  p2c.onEnd('c', 5_000, true); // the old call's latency says nothing about the new instance
  assert.equal(p2c.cost('c'), 0);
  p2c.onEnd('c', 5, true);
  assert.equal(p2c.cost('c'), 5, "the new call's sample counts");
});

test('least_request counts an endpoint whose last call ended badly (failed, or answered "busy") as loaded for a while', () => {
  let now = 0;
  const balancer = new LeastRequestBalancer(seeded(4), () => now);
  const list = endpoints('shedding', 'healthy');
  for (let i = 0; i < 3; i++) balancer.onStart('healthy'); // more calls in flight than the shedding one
  balancer.onStart('shedding');
  balancer.onEnd('shedding', 1, false); // refused fast: zero in flight, but busy
  assert.equal(counts(() => balancer.pick(list, {}), 100).get('healthy'), 100);
  now += 300;
  assert.equal(counts(() => balancer.pick(list, {}), 100).get('shedding'), 100, 'penalty over: fewer in flight wins again');
  balancer.onStart('shedding');
  balancer.onEnd('shedding', 1, false);
  balancer.onStart('shedding');
  balancer.onEnd('shedding', 1, true);
  assert.equal(counts(() => balancer.pick(list, {}), 100).get('shedding'), 100, 'a good end clears it');
});

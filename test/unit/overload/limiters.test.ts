import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AimdLimiter } from '../../../src/overload/aimd-limiter.js';
import { FixedLimiter } from '../../../src/overload/fixed-limiter.js';
import type { Limiter } from '../../../src/overload/limiter.js';
import { Gradient2Limiter, type Gradient2Settings } from '../../../src/overload/gradient2-limiter.js';

const gradient2 = (overrides: Partial<Gradient2Settings> = {}) =>
  new Gradient2Limiter({ initialLimit: 20, minLimit: 4, maxLimit: 200, smoothing: 0.2, shortWindow: 10, longWindow: 100, tolerance: 1.5, latencySlackMs: 0, backoffRatio: 0.9, ...overrides });

/** `windows` short windows of calls at `rttMs`, each started with `inFlight` calls running. */
function feed(limiter: { onSample(rtt: number, inFlight: number): void; limit: number }, windows: number, rttMs: number, inFlight: (limit: number) => number): void {
  for (let w = 0; w < windows; w++) for (let i = 0; i < 10; i++) limiter.onSample(rttMs, inFlight(limiter.limit));
}

test('gradient2: steady latency with the limit in use grows the limit (the √limit queue allowance), up to max_limit', () => {
  const limiter = gradient2();
  feed(limiter, 20, 10, (limit) => limit);
  assert.ok(limiter.limit > 25, `${limiter.limit}`);
  feed(limiter, 2000, 10, (limit) => limit);
  assert.equal(limiter.limit, 200);
});

test('gradient2: latency well over tolerance × baseline shrinks the limit toward min_limit, never below', () => {
  const limiter = gradient2({ initialLimit: 100 });
  feed(limiter, 10, 10, (limit) => limit);
  const before = limiter.limit;
  feed(limiter, 5, 40, (limit) => limit);
  assert.ok(limiter.limit < before, `${limiter.limit} < ${before}`);
  feed(limiter, 60, 40, (limit) => limit);
  assert.equal(limiter.limit, 4, 'at the floor: no queue allowance while congested');
  const cut = gradient2({ initialLimit: 100, minLimit: 30 });
  feed(cut, 10, 10, (limit) => limit);
  feed(cut, 60, 400, (limit) => limit);
  assert.equal(cut.limit, 30);
});

test('gradient2: sustained congestion takes the limit down to a low min_limit (the √limit allowance, added only while latency holds, would hold it near 4)', () => {
  const limiter = gradient2({ initialLimit: 100, minLimit: 2 });
  feed(limiter, 10, 40, (limit) => limit);
  feed(limiter, 100, 160, (limit) => limit);
  assert.ok(limiter.limit < 2.5, `${limiter.limit}`);
});

test('gradient2: latency growth within latency_slack is not congestion, however large the ratio', () => {
  const limiter = gradient2({ initialLimit: 64, latencySlackMs: 50 });
  feed(limiter, 10, 0.5, (limit) => limit);
  const before = limiter.limit;
  feed(limiter, 50, 20, (limit) => limit);
  assert.ok(limiter.limit >= before, `${limiter.limit} >= ${before}: 20 ms of queueing on a 0.5 ms call is within 50 ms`);
  feed(limiter, 50, 200, (limit) => limit);
  assert.ok(limiter.limit < before, 'past the slack it shrinks');
});

test('gradient2: sustained congestion does not drag the baseline up with it', () => {
  const limiter = gradient2();
  feed(limiter, 10, 10, (limit) => limit);
  feed(limiter, 100, 30, (limit) => limit);
  assert.ok(limiter.baselineRttMs < 15, `baseline ${limiter.baselineRttMs} stays near the uncongested 10 ms`);
});

test('gradient2: an app-limited server (under half the limit in use) does not move the limit, whatever the latency', () => {
  const limiter = gradient2();
  feed(limiter, 50, 10, () => 2);
  feed(limiter, 50, 100, () => 2);
  assert.equal(limiter.limit, 20);
});

test('gradient2: nothing changes until a short window is full; backOff(inUse) drops below both the limit and what was in use, keeping min_limit', () => {
  const limiter = gradient2();
  for (let i = 0; i < 9; i++) limiter.onSample(1000, 20);
  assert.equal(limiter.limit, 20);
  limiter.backOff(100);
  assert.equal(limiter.limit, 18);
  limiter.backOff(10);
  assert.equal(limiter.limit, 9, 'the calls in use when congestion showed were already too many');
  for (let i = 0; i < 50; i++) limiter.backOff(100);
  assert.equal(limiter.limit, 4);
});

test('aimd: +1 per fast sample while in use, ×ratio per slow one, bounded', () => {
  const limiter = new AimdLimiter({ initialLimit: 10, minLimit: 2, maxLimit: 12, latencyThresholdMs: 100, backoffRatio: 0.5 });
  limiter.onSample(5, 10);
  assert.equal(limiter.limit, 11);
  limiter.onSample(5, 1);
  assert.equal(limiter.limit, 11, 'idle: no growth');
  for (let i = 0; i < 5; i++) limiter.onSample(5, 12);
  assert.equal(limiter.limit, 12, 'max_limit');
  limiter.onSample(500, 12);
  assert.equal(limiter.limit, 6);
  limiter.backOff(6);
  limiter.backOff(6);
  assert.equal(limiter.limit, 2, 'min_limit');
});

test('fixed: never moves', () => {
  const limiter: Limiter = new FixedLimiter(7);
  limiter.onSample(1, 7);
  limiter.onSample(10_000, 7);
  limiter.backOff(1);
  assert.equal(limiter.limit, 7);
});

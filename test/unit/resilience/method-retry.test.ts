import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MethodRetry } from '../../../src/resilience/retry.js';
import { Code, TuskError } from '../../../src/status/index.js';

const policy = { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 20, maxDelayMs: 40, on: ['UNAVAILABLE'], budget: 0.2 } as const;

test('max_attempts counts attempts, first included; the last error is the one thrown', async () => {
  const retry = new MethodRetry(policy);
  const seen: number[] = [];
  const error = await retry.execute(async (n) => {
    seen.push(n);
    throw new Error(`attempt ${n}`);
  }, () => true).catch((failure: unknown) => failure as Error);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(error.message, 'attempt 3');
});

test('a failure not marked retryable is thrown at once; a success ends the loop', async () => {
  const retry = new MethodRetry(policy);
  const seen: number[] = [];
  await assert.rejects(retry.execute(async (n) => {
    seen.push(n);
    throw new Error('fatal');
  }, () => false), /fatal/);
  assert.deepEqual(seen, [1]);
  assert.equal(await retry.execute(async (n) => (n < 2 ? Promise.reject(new Error('once')) : `ok on ${n}`), () => true), 'ok on 2');
});

test('retries wait a backoff between attempts', async () => {
  const retry = new MethodRetry({ ...policy, backoff: 'constant', initialDelayMs: 30 });
  const times: number[] = [];
  await retry.execute(async (n) => {
    times.push(performance.now());
    if (n < 3) throw new Error('again');
  }, () => true);
  assert.equal(times.length, 3);
  assert.ok(times[1]! - times[0]! >= 25 && times[2]! - times[1]! >= 25, `gaps ${times[1]! - times[0]!}, ${times[2]! - times[1]!}`);
});

test('an aborted signal stops retrying', async () => {
  const retry = new MethodRetry(policy);
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(retry.execute(async (n) => {
    seen.push(n);
    controller.abort();
    throw new Error('down');
  }, () => true, controller.signal), /down/);
  assert.deepEqual(seen, [1]);
});

test('an abort during the backoff ends it at once with CANCELLED; retryable sees the delay it would wait', async () => {
  const retry = new MethodRetry({ ...policy, backoff: 'constant', initialDelayMs: 5_000 });
  const controller = new AbortController();
  const delays: number[] = [];
  const started = performance.now();
  setTimeout(() => controller.abort(), 30);
  await assert.rejects(retry.execute(async () => {
    throw new Error('down');
  }, (_error, _attempt, delayMs) => delays.push(delayMs) > 0, controller.signal), (error: unknown) => error instanceof TuskError && error.code === Code.CANCELLED);
  assert.deepEqual(delays, [5_000]);
  assert.ok(performance.now() - started < 2_000, 'the 5 s backoff did not run out');
});

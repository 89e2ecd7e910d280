import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget } from '../../../src/resilience/retry-budget.js';
import { CircuitOpenError, NotSentError } from '../../../src/resilience/failure.js';
import { shouldRetry } from '../../../src/resilience/retry.js';
import { Code, TuskError } from '../../../src/status/index.js';

test('the budget allows retries up to ratio × calls plus the floor, within the window', () => {
  let now = 0;
  const budget = new RetryBudget({ ratio: 0.2, windowMs: 10_000, minRetriesPerSecond: 0, now: () => now });
  for (let i = 0; i < 100; i++) budget.recordCall();
  let allowed = 0;
  while (budget.tryRetry() && allowed < 1_000) allowed++;
  assert.equal(allowed, 20);
  // The window slides: after it has passed, old calls and retries no longer count.
  now += 10_001;
  assert.equal(budget.tryRetry(), false);
  for (let i = 0; i < 10; i++) budget.recordCall();
  assert.equal(budget.tryRetry(), true);
  assert.equal(budget.tryRetry(), true);
  assert.equal(budget.tryRetry(), false);
});

test('the floor lets a quiet client retry a little', () => {
  const budget = new RetryBudget({ ratio: 0.2, windowMs: 1_000, minRetriesPerSecond: 3, now: () => 0 });
  assert.deepEqual([budget.tryRetry(), budget.tryRetry(), budget.tryRetry(), budget.tryRetry()], [true, true, true, false]);
});

test('half the window later, half the calls still count', () => {
  let now = 0;
  const budget = new RetryBudget({ ratio: 0.5, windowMs: 1_000, minRetriesPerSecond: 0, now: () => now });
  for (let i = 0; i < 10; i++) budget.recordCall();
  now = 500;
  for (let i = 0; i < 10; i++) budget.recordCall();
  now = 1_050; // the first ten have slid out
  let allowed = 0;
  while (budget.tryRetry() && allowed < 100) allowed++;
  assert.equal(allowed, 5);
});

test('shouldRetry: configured codes for idempotent methods, not-sent failures for any, never circuit open', () => {
  const policy = { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1, maxDelayMs: 1, on: ['UNAVAILABLE'], budget: 1 } as const;
  const budget = () => new RetryBudget({ ratio: 1, minRetriesPerSecond: 100 });
  const unavailable = new TuskError(Code.UNAVAILABLE, 'down');
  const input = { policy, idempotent: true, attempt: 1, deadline: undefined };
  assert.equal(shouldRetry(unavailable, input, budget()), true);
  assert.equal(shouldRetry(new TuskError(Code.INTERNAL, 'bug'), input, budget()), false);
  assert.equal(shouldRetry(unavailable, { ...input, idempotent: false }, budget()), false);
  assert.equal(shouldRetry(new NotSentError(Code.UNAVAILABLE, 'refused'), { ...input, idempotent: false }, budget()), true);
  assert.equal(shouldRetry(new CircuitOpenError('svc', 2), input, budget()), false);
  assert.equal(shouldRetry(unavailable, { ...input, attempt: 3 }, budget()), false, 'max_attempts counts attempts');
  assert.equal(shouldRetry(unavailable, { ...input, deadline: Date.now() - 1 }, budget()), false);
  const spent = new RetryBudget({ ratio: 0, minRetriesPerSecond: 0 });
  assert.equal(shouldRetry(unavailable, input, spent), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointFailureRule, EndpointsBusyError } from '../../../src/resilience/failure.js';
import { MAX_PUSHBACK_MS, isOverloadAnswer, markPushback, parsePushback, pushbackOf, wasDeadlineTooShort, wasShed } from '../../../src/resilience/pushback.js';
import { RetryBudget } from '../../../src/resilience/retry-budget.js';
import { retryDecision } from '../../../src/resilience/retry.js';
import { markRelayed } from '../../../src/status/downstream.js';
import { Code, TuskError } from '../../../src/status/index.js';

const overloaded = { reason: 'OVERLOADED', domain: 'tusk-grpc' };
const shed = (retryDelayMs?: number) =>
  new TuskError(Code.UNAVAILABLE, 'shed', { errorInfo: overloaded, ...(retryDelayMs === undefined ? {} : { retryInfo: { retryDelayMs } }) });
const tooShort = () => new TuskError(Code.DEADLINE_EXCEEDED, 'deadline too short', { errorInfo: { reason: 'DEADLINE_TOO_SHORT', domain: 'tusk-grpc' } });

test('parsePushback: a non-negative integer is a delay; negative or unparseable means "do not retry" (gRPC A6); absent is nothing', () => {
  assert.equal(parsePushback(undefined), undefined);
  assert.equal(parsePushback('0'), 0);
  assert.equal(parsePushback('250'), 250);
  assert.equal(parsePushback(' 40 '), 40);
  for (const stop of ['-1', '-250', '1.5', '12abc', '', 'soon', '0x10', '1e3']) assert.equal(parsePushback(stop), null, JSON.stringify(stop));
  assert.equal(parsePushback('999999999999'), MAX_PUSHBACK_MS, 'a huge value is capped, not a day-long park');
});

test('pushbackOf: the trailer first, else RetryInfo; nothing from a relayed error or a non-TuskError', () => {
  assert.equal(pushbackOf(shed(120)), 120);
  assert.equal(pushbackOf(markPushback(shed(120), 30)), 30, 'the standard trailer wins over the detail');
  assert.equal(pushbackOf(markPushback(shed(120), null)), null);
  assert.equal(pushbackOf(new TuskError(Code.UNAVAILABLE, 'down')), undefined);
  assert.equal(pushbackOf(markRelayed(markPushback(shed(120), 30))), undefined, "a dependency's pushback is not the endpoint's");
  assert.equal(pushbackOf(new Error('x')), undefined);
});

test('a shed is UNAVAILABLE + ErrorInfo OVERLOADED of domain tusk-grpc, answered by the endpoint itself', () => {
  assert.equal(wasShed(shed()), true);
  assert.equal(wasShed(new TuskError(Code.UNAVAILABLE, 'x', { errorInfo: { reason: 'OVERLOADED', domain: 'example.com' } })), false);
  assert.equal(wasShed(new TuskError(Code.RESOURCE_EXHAUSTED, 'x', { errorInfo: overloaded })), false);
  assert.equal(wasShed(markRelayed(shed())), false);
  assert.equal(wasDeadlineTooShort(tooShort()), true);
  assert.equal(isOverloadAnswer(markPushback(new TuskError(Code.UNAVAILABLE, 'foreign server'), 50)), true, 'any server with a pushback is busy, not broken');
  assert.equal(isOverloadAnswer(new TuskError(Code.UNAVAILABLE, 'down')), false);
});

test('an overload answer never counts against the endpoint, whatever circuit_breaker.on lists', () => {
  const rule = new EndpointFailureRule(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);
  assert.equal(rule.counts(shed(100), false), false);
  assert.equal(rule.counts(tooShort(), true), false, 'even when a per-try timeout was running');
  assert.equal(rule.counts(markPushback(new TuskError(Code.UNAVAILABLE, 'foreign'), 10), false), false);
  assert.equal(rule.counts(new EndpointsBusyError('svc', 2, 40), false), false);
  assert.equal(rule.counts(new TuskError(Code.UNAVAILABLE, 'down'), false), true, 'an ordinary UNAVAILABLE still does');
});

test('retryDecision: a shed retries for any method; DEADLINE_TOO_SHORT and a "do not retry" pushback never; the budget pays for each', () => {
  const policy = { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1, maxDelayMs: 1, on: ['UNAVAILABLE', 'DEADLINE_EXCEEDED'], budget: 1 } as const;
  const roomy = () => new RetryBudget({ ratio: 1, minRetriesPerSecond: 100 });
  const input = { policy, idempotent: false, attempt: 1, deadline: undefined };
  assert.equal(retryDecision(shed(50), input, roomy()), 'retry', 'not processed: a non-idempotent method may retry');
  assert.equal(retryDecision(new EndpointsBusyError('svc', 3, 20), input, roomy()), 'retry');
  assert.equal(retryDecision(tooShort(), { ...input, idempotent: true }, roomy()), 'deadline_too_short');
  assert.equal(retryDecision(markPushback(shed(), null), { ...input, idempotent: true }, roomy()), 'pushback_no_retry');
  assert.equal(retryDecision(markPushback(new TuskError(Code.UNAVAILABLE, 'foreign'), 20), input, roomy()), 'not_retryable', 'a foreign pushback alone does not prove "not processed"');
  assert.equal(retryDecision(shed(50), { ...input, deadline: Date.now() + 100, delayMs: 200 }, roomy()), 'deadline_passed', 'a wait past the deadline is not made');
  const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 }); // room for exactly one retry
  assert.equal(retryDecision(shed(), input, budget), 'retry');
  assert.equal(retryDecision(shed(), input, budget), 'budget_exhausted');
});

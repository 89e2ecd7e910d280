import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointBreaker } from '../../../src/resilience/endpoint-breaker.js';
import { CallerError, EndpointFailureRule, NotSentError, RefusedStreamError } from '../../../src/resilience/failure.js';
import { waitUntil } from '../../helpers/wait.js';
import { Code, TuskError } from '../../../src/status/index.js';

const policy = { strategy: 'consecutive', threshold: 3, halfOpenAfterMs: 100, windowMs: 1_000, minimumRps: 1 } as const;
const fail = (code: Code) => () => Promise.reject(new TuskError(code, 'x'));
const succeed = () => Promise.resolve('ok');
const rule = new EndpointFailureRule(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);
const counts = (error: unknown): boolean => rule.counts(error, false);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('opens after `threshold` endpoint failures in a row; business errors do not count', async () => {
  const breaker = new EndpointBreaker(policy, 'a:1');
  for (let i = 0; i < 5; i++) await assert.rejects(breaker.execute(fail(Code.NOT_FOUND), counts));
  assert.equal(breaker.usable, true);
  for (let i = 0; i < 3; i++) await assert.rejects(breaker.execute(fail(Code.UNAVAILABLE), counts));
  assert.equal(breaker.usable, false);
  await assert.rejects(breaker.execute(succeed, counts), (error: unknown) => error instanceof NotSentError && error.code === Code.UNAVAILABLE);
});

test('after half_open_after one probe is let through; success closes, failure reopens', async () => {
  const breaker = new EndpointBreaker(policy, 'a:1');
  for (let i = 0; i < 3; i++) await assert.rejects(breaker.execute(fail(Code.UNAVAILABLE), counts));
  assert.equal(breaker.usable, false);
  await sleep(120);
  assert.equal(breaker.usable, true, 'probe allowed');
  let release!: () => void;
  const probe = breaker.execute(() => new Promise<void>((resolve) => (release = resolve)).then(() => Promise.reject(new TuskError(Code.UNAVAILABLE, 'still down'))), counts);
  assert.equal(breaker.usable, false, 'no second call while the probe runs');
  release();
  await assert.rejects(probe);
  assert.equal(breaker.usable, false, 'reopened');
  await sleep(120);
  assert.equal(breaker.usable, true);
  assert.equal(await breaker.execute(succeed, counts), 'ok');
  assert.equal(breaker.usable, true, 'closed again');
});

test('the sampling strategy opens on the failure ratio', async () => {
  const breaker = new EndpointBreaker({ ...policy, strategy: 'sampling', threshold: 0.5, windowMs: 1_000, minimumRps: 1 }, 'a:1');
  // One success per two failures: a 67% failure ratio, above the 50% threshold.
  for (let i = 0; i < 20 && breaker.usable; i++) {
    await breaker.execute(succeed, counts);
    await breaker.execute(fail(Code.UNAVAILABLE), counts).catch(() => {});
    await breaker.execute(fail(Code.UNAVAILABLE), counts).catch(() => {});
  }
  assert.equal(breaker.usable, false);
});

test('the failure rule: connection failures and listed codes count; DEADLINE_EXCEEDED only from a per-try timeout', () => {
  const withInternal = new EndpointFailureRule(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INTERNAL']);
  const deadline = new TuskError(Code.DEADLINE_EXCEEDED, 'late');
  assert.equal(rule.counts(new TuskError(Code.UNAVAILABLE, 'down'), false), true);
  assert.equal(rule.counts(new NotSentError(Code.UNAVAILABLE, 'refused'), false), true);
  assert.equal(new EndpointFailureRule([]).counts(new NotSentError(Code.UNAVAILABLE, 'refused'), false), true, 'a failed connection always counts');
  assert.equal(rule.counts(new RefusedStreamError(Code.UNAVAILABLE, 'GOAWAY'), false), false, 'a refused stream: the endpoint answered, recycling a connection');
  assert.equal(rule.counts(new NotSentError(Code.DEADLINE_EXCEEDED, 'caller deadline while connecting'), false), false);
  assert.equal(rule.counts(new NotSentError(Code.CANCELLED, 'aborted while connecting'), false), false);
  assert.equal(rule.counts(deadline, false), false, "the caller's deadline");
  assert.equal(rule.counts(deadline, true), true, 'a per-try timeout');
  assert.equal(new EndpointFailureRule(['UNAVAILABLE']).counts(deadline, true), false, 'not listed');
  assert.equal(rule.counts(new TuskError(Code.INTERNAL, 'bug'), false), false, 'INTERNAL is off by default');
  assert.equal(withInternal.counts(new TuskError(Code.INTERNAL, 'bug'), false), true);
  assert.equal(rule.counts(new TuskError(Code.CANCELLED, 'x'), true), false);
  assert.equal(withInternal.counts(new CallerError(Code.INTERNAL, 'caller'), false), false);
  assert.equal(rule.counts(new Error('plain'), false), false);
});

test('executeHeld: a held call is one execution from start to end; breaking after its result counts as a failure', async () => {
  const breaker = new EndpointBreaker(policy, 'a:1');
  for (let i = 0; i < 3; i++) {
    const held = await breaker.executeHeld(succeed, counts);
    assert.equal(held.result, 'ok');
    assert.equal(breaker.usable, true);
    held.end(new TuskError(Code.UNAVAILABLE, 'stream broke'));
  }
  await waitUntil(() => !breaker.usable, 1_000, 'the breaker to open after three broken streams');
  await assert.rejects(breaker.executeHeld(succeed, counts), (error: unknown) => error instanceof NotSentError);
});

test('executeHeld: a half-open probe is decided by its result, a later failure reopens', async () => {
  const breaker = new EndpointBreaker(policy, 'a:1');
  for (let i = 0; i < 3; i++) await assert.rejects(breaker.execute(fail(Code.UNAVAILABLE), counts));
  await sleep(120);
  const probe = await breaker.executeHeld(succeed, counts);
  assert.equal(breaker.closed, true, 'the first message closed it');
  probe.end(new TuskError(Code.UNAVAILABLE, 'broke later'));
  const ended = await breaker.executeHeld(succeed, counts);
  ended.end();
  assert.equal(breaker.usable, true, 'one failure after closing is below the threshold');
});

test('a half-open probe answered "busy" (a shed, DEADLINE_TOO_SHORT) closes the circuit: the instance is alive', async () => {
  const busyAnswers = [
    new TuskError(Code.UNAVAILABLE, 'shed', { errorInfo: { reason: 'OVERLOADED', domain: 'tusk-grpc' }, retryInfo: { retryDelayMs: 50 } }),
    new TuskError(Code.DEADLINE_EXCEEDED, 'too short', { errorInfo: { reason: 'DEADLINE_TOO_SHORT', domain: 'tusk-grpc' } }),
  ];
  for (const answer of busyAnswers) {
    const breaker = new EndpointBreaker({ ...policy, halfOpenAfterMs: 20 }, 'a:1');
    for (let i = 0; i < 3; i++) await assert.rejects(breaker.execute(fail(Code.UNAVAILABLE), counts));
    await waitUntil(() => breaker.usable, 2_000, 'the probe to be allowed');
    await assert.rejects(breaker.execute(() => Promise.reject(answer), counts), (error: unknown) => error === answer);
    assert.equal(breaker.closed, true, `${answer.message}: closed`);
    for (let i = 0; i < 5; i++) await assert.rejects(breaker.execute(() => Promise.reject(answer), counts));
    assert.equal(breaker.closed, true, `${answer.message}: never counted while closed`);
  }
});

// The saga's transitions as pure logic: forward, reverse compensation from the
// failed step, the persisted backoff schedule, and STUCK after the last try.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, TuskError } from '../../../src/index.js';
import { defineSaga } from '../../../src/sagas/define-saga.js';
import { decodeJson, encodeJson } from '../../../src/sagas/record-codec.js';
import { afterFailure, afterSuccess, backoffDelayMs, isRetryableError, newSagaRecord } from '../../../src/sagas/state-machine.js';
import type { SagaRecord } from '../../../src/sagas/types.js';

interface State { readonly trail: string; readonly total?: bigint }
const noop = async () => undefined;
const saga = defineSaga<State>({
  name: 'unit',
  retry: { maxAttempts: 2, backoffMs: [10] },
  compensationRetry: { maxAttempts: 3, backoffMs: [20, 40] },
  steps: [
    { name: 'a', action: noop, compensate: noop },
    { name: 'b', action: noop },
    { name: 'c', action: noop, compensate: noop },
  ],
});

const summary = (record: SagaRecord<State>) => ({ status: record.status, step: record.step, attempts: record.attempts, notBeforeMs: record.notBeforeMs });

test('successful actions walk forward, merging their results, and the last one completes the saga', () => {
  let record = newSagaRecord<State>('s1', 'unit', { trail: '' }, 0);
  record = afterSuccess(saga, record, { trail: 'a' }, 1);
  assert.deepEqual(summary(record), { status: 'running', step: 1, attempts: 0, notBeforeMs: 0 });
  record = afterSuccess(saga, record, undefined, 2);
  record = afterSuccess(saga, { ...record, lease: { holder: 'me', untilMs: 9 } }, { total: 5n }, 3);
  assert.equal(record.status, 'completed');
  assert.equal(record.lease, null);
  assert.deepEqual(record.state, { trail: 'a', total: 5n });
  assert.deepEqual(record.history.map((entry) => `${entry.step}:${entry.kind}:${entry.outcome}`), ['a:action:ok', 'b:action:ok', 'c:action:ok']);
});

test('a retryable action failure waits its backoff; the last attempt turns the saga to compensating at that very step', () => {
  let record: SagaRecord<State> = { ...newSagaRecord<State>('s2', 'unit', { trail: '' }, 0), step: 2 };
  record = afterFailure(saga, record, new TuskError(Code.UNAVAILABLE, 'down'), 100);
  assert.deepEqual(summary(record), { status: 'running', step: 2, attempts: 1, notBeforeMs: 110 });
  record = afterFailure(saga, record, new TuskError(Code.UNAVAILABLE, 'down'), 200);
  assert.deepEqual(summary(record), { status: 'compensating', step: 2, attempts: 0, notBeforeMs: 0 });
  assert.match(record.error!, /c action attempt 2: down/);
});

test('a business failure compensates at once, without retries', () => {
  const record = afterFailure(saga, newSagaRecord<State>('s3', 'unit', { trail: '' }, 0), new TuskError(Code.FAILED_PRECONDITION, 'declined'), 5);
  assert.equal(record.status, 'compensating');
  assert.equal(record.history.length, 1);
});

test('compensations run in reverse order down to the first step, then the saga is compensated', () => {
  let record: SagaRecord<State> = { ...newSagaRecord<State>('s4', 'unit', { trail: '' }, 0), status: 'compensating', step: 2 };
  const order: string[] = [];
  while (record.status === 'compensating') {
    order.push(saga.steps[record.step]!.name);
    record = afterSuccess(saga, record, undefined, 1, saga.steps[record.step]!.compensate ? 'ok' : 'skipped');
  }
  assert.deepEqual(order, ['c', 'b', 'a']);
  assert.equal(record.status, 'compensated');
  assert.deepEqual(record.history.map((entry) => entry.outcome), ['ok', 'skipped', 'ok']);
});

test('a compensation that keeps failing follows its backoff schedule, then the saga is STUCK and holds no lease', () => {
  let record: SagaRecord<State> = { ...newSagaRecord<State>('s5', 'unit', { trail: '' }, 0), status: 'compensating', step: 0, lease: { holder: 'me', untilMs: 1e9 } };
  const waits: number[] = [];
  for (let now = 1000; record.status === 'compensating'; now += 1000) {
    // Even a business error is retried: a compensation must end.
    record = afterFailure(saga, record, new TuskError(Code.FAILED_PRECONDITION, 'refund refused'), now);
    if (record.status === 'compensating') waits.push(record.notBeforeMs - now);
  }
  assert.deepEqual(waits, [20, 40]);
  assert.equal(record.status, 'stuck');
  assert.equal(record.attempts, 3);
  assert.equal(record.lease, null);
  assert.match(record.error!, /gave up after 3 attempts: a compensation attempt 3: refund refused/);
});

test('backoff entries are used in turn and the last repeats; no schedule means no wait', () => {
  const policy = { maxAttempts: 9, backoffMs: [5, 50, 500] };
  assert.deepEqual([1, 2, 3, 4, 8].map((attempt) => backoffDelayMs(policy, attempt)), [5, 50, 500, 500, 500]);
  assert.equal(backoffDelayMs({ maxAttempts: 2, backoffMs: [] }, 1), 0);
});

test('step-level retry overrides the saga default', () => {
  const strict = defineSaga<State>({ name: 'strict', steps: [{ name: 'only', action: noop, retry: { maxAttempts: 1 } }] });
  assert.equal(afterFailure(strict, newSagaRecord<State>('s6', 'strict', { trail: '' }, 0), new Error('boom'), 0).status, 'compensating');
});

test('retryable means "not now": transport failures and plain errors, not business answers', () => {
  assert.equal(isRetryableError(new TuskError(Code.UNAVAILABLE, 'x')), true);
  assert.equal(isRetryableError(new TuskError(Code.DEADLINE_EXCEEDED, 'x')), true);
  assert.equal(isRetryableError(new Error('x')), true);
  assert.equal(isRetryableError(new TuskError(Code.FAILED_PRECONDITION, 'x')), false);
  assert.equal(isRetryableError(new TuskError(Code.ABORTED, 'x')), false);
});

test('the record codec keeps bigint and Date across the store', () => {
  const value = { total: 12345678901234567890n, at: new Date(1700000000000), nested: [{ n: 1n }], plain: { $bigint: 'x', other: 1 } };
  assert.deepEqual(decodeJson(encodeJson(value)), value);
});

test('defineSaga refuses declarations that would break keys or recovery', () => {
  assert.throws(() => defineSaga({ name: 'x', steps: [] }), /has no steps/);
  assert.throws(() => defineSaga({ name: 'x', steps: [{ name: 'a:b', action: noop }] }), /step name "a:b"/);
  assert.throws(() => defineSaga({ name: 'x', steps: [{ name: 'a', action: noop }, { name: 'a', action: noop }] }), /two steps are named a/);
  assert.throws(() => defineSaga({ name: 'x', steps: [{ name: 'a', action: noop }], compensationRetry: { maxAttempts: 0 } }), /maxAttempts 0/);
  assert.throws(() => defineSaga({ name: 'x', steps: [{ name: 'a', action: noop, timeoutMs: -1 }] }), /timeoutMs -1/);
});

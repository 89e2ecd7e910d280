import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptDeadline, callScope, scopeEnded } from '../../../src/client/call-scope.js';
import { Code, TuskError } from '../../../src/status/index.js';
import type { CallContext } from '../../../src/server/call-context.js';

const parent = (overrides: Partial<CallContext>): CallContext => ({
  service: 's',
  method: 'm',
  metadata: {},
  deadline: undefined,
  signal: new AbortController().signal,
  peer: 'p',
  trace: {},
  requestId: 'rid',
  logger: undefined as never,
  header: undefined as never,
  trailer: undefined as never,
  ...overrides,
});

test('the method timeout applies when the call sets none; the call timeout replaces it', () => {
  const now = Date.now();
  const byMethod = callScope(undefined, 300).deadline!;
  assert.ok(byMethod >= now + 300 && byMethod <= Date.now() + 300);
  const byCall = callScope({ timeout: 50 }, 300).deadline!;
  assert.ok(byCall <= Date.now() + 50);
  assert.equal(callScope(undefined, Infinity).deadline, undefined, 'only Infinity means no deadline');
});

test('a timeout of 0, below 0 or NaN, and an invalid or past deadline, are deadlines already passed', () => {
  for (const options of [{ timeout: 0 }, { timeout: -5 }, { timeout: Number.NaN }, { deadline: new Date(Number.NaN) }, { deadline: Number.NaN }, { deadline: Date.now() - 1_000 }]) {
    const scope = callScope(options, 5_000);
    assert.ok(scope.deadline !== undefined && scope.deadline <= Date.now(), JSON.stringify(options));
    assert.equal(scopeEnded(scope)?.code, Code.DEADLINE_EXCEEDED, JSON.stringify(options));
  }
  assert.equal(callScope(undefined, 0).deadline! <= Date.now(), true);
  assert.equal(scopeEnded(callScope({ timeout: 1_000 }, 5_000)), undefined);
});

test('metadata grpc-js would refuse is INVALID_ARGUMENT, without quoting the value', () => {
  assert.throws(() => callScope({ metadata: { authorization: 'Bearer sécret' } }, 1_000), (error: unknown) =>
    error instanceof TuskError && error.code === Code.INVALID_ARGUMENT && /authorization/.test(error.message) && !/sécret/.test(error.message));
  assert.throws(() => callScope({ metadata: { 'bad key': 'v' } }, 1_000), (error: unknown) => error instanceof TuskError && error.code === Code.INVALID_ARGUMENT);
  assert.throws(() => callScope({ metadata: { 'x-n': 5 as unknown as string } }, 1_000), (error: unknown) => error instanceof TuskError && error.code === Code.INVALID_ARGUMENT);
  assert.equal(callScope({ metadata: { 'X-Mixed-Case': 'ok', 'x-data-bin': 'AAEC' } }, 1_000).metadata['X-Mixed-Case'], 'ok');
});

test('the earliest of timeout, deadline and the parent deadline wins', () => {
  const soon = Date.now() + 100;
  assert.equal(callScope({ parent: parent({ deadline: soon }) }, 5_000).deadline, soon);
  assert.equal(callScope({ deadline: new Date(soon) }, 5_000).deadline, soon);
  const own = callScope({ timeout: 10, parent: parent({ deadline: Date.now() + 10_000 }) }, 5_000).deadline!;
  assert.ok(own <= Date.now() + 10);
});

test('the parent and the caller can both cancel', () => {
  const mine = new AbortController();
  const theirs = new AbortController();
  const scope = callScope({ signal: mine.signal, parent: parent({ signal: theirs.signal }) }, 0);
  assert.equal(scope.signal!.aborted, false);
  theirs.abort();
  assert.equal(scope.signal!.aborted, true);
  assert.equal(callScope({ signal: mine.signal }, 0).signal, mine.signal);
});

test('request id and trace context travel from the parent; caller metadata wins on conflicts', () => {
  const scope = callScope({ parent: parent({ trace: { traceparent: 'tp', tracestate: 'ts' } }), metadata: { a: '1', 'x-request-id': 'mine' } }, 0);
  assert.deepEqual(scope.metadata, { 'x-request-id': 'mine', traceparent: 'tp', tracestate: 'ts', a: '1' });
});

test('an attempt deadline never passes the overall deadline', () => {
  const overall = Date.now() + 100;
  assert.equal(attemptDeadline(overall, 1_000), overall);
  assert.ok(attemptDeadline(overall, 10)! < overall);
  assert.equal(attemptDeadline(undefined, undefined), undefined);
  assert.equal(attemptDeadline(overall, undefined), overall);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Metadata } from '@grpc/grpc-js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { ActiveCalls, type CancellableCall } from '../../../src/server/active-calls.js';

/** The part of a grpc-js server call CallAbort reads: cancelled flag, 'cancelled' event, deadline. */
class FakeCall extends EventEmitter {
  cancelled = false;
  readonly metadata = new Metadata();
  constructor(private readonly deadline: number = Infinity) {
    super();
  }
  getDeadline(): number {
    return this.deadline;
  }
  getPeer(): string {
    return '127.0.0.1:1';
  }
  /** What grpc-js does when the call ends: flag, then event. */
  cancel(): void {
    this.cancelled = true;
    this.emit('cancelled', 'cancelled');
  }
}

const open = (calls: ActiveCalls, call: FakeCall) => calls.open(call as unknown as CancellableCall);
const codeOf = (reason: unknown) => (reason as TuskError).code;

test('no AbortController or listener until the signal is read; then a cancel aborts it with CANCELLED', () => {
  const calls = new ActiveCalls();
  const call = new FakeCall();
  const abort = open(calls, call);
  assert.equal(abort.aborted, false);
  assert.equal(call.listenerCount('cancelled'), 0);
  assert.equal(calls.size, 0);

  const signal = abort.signal;
  assert.equal(abort.signal, signal, 'one signal per call');
  assert.equal(call.listenerCount('cancelled'), 1);
  assert.equal(calls.size, 1);
  call.cancel();
  assert.equal(signal.aborted, true);
  assert.equal(codeOf(signal.reason), Code.CANCELLED);
  assert.equal(abort.aborted, true);

  abort.close();
  assert.equal(call.listenerCount('cancelled'), 0);
  assert.equal(calls.size, 0);
});

test('a signal first read after the call was cancelled is born aborted, with the same reason', () => {
  const calls = new ActiveCalls();
  const call = new FakeCall();
  const abort = open(calls, call);
  call.cancel();
  assert.equal(abort.aborted, true, 'known without making a signal');
  assert.equal(codeOf(abort.reason), Code.CANCELLED);
  assert.equal(abort.signal.aborted, true);
  assert.equal(codeOf(abort.signal.reason), Code.CANCELLED);
  assert.equal(calls.size, 0, 'nothing left to abort later');
});

test('a call that ended at its deadline reports DEADLINE_EXCEEDED, read early or late', () => {
  const calls = new ActiveCalls();
  const early = new FakeCall(Date.now() - 1);
  const earlyAbort = open(calls, early);
  const signal = earlyAbort.signal;
  early.cancel();
  assert.equal(codeOf(signal.reason), Code.DEADLINE_EXCEEDED);

  const late = new FakeCall(Date.now() - 1);
  const lateAbort = open(calls, late);
  late.cancel();
  assert.equal(codeOf(lateAbort.signal.reason), Code.DEADLINE_EXCEEDED);
});

test('abortAll aborts the signals made so far and those made afterwards', () => {
  const calls = new ActiveCalls();
  const first = open(calls, new FakeCall());
  const second = open(calls, new FakeCall());
  const firstSignal = first.signal;
  const shuttingDown = new TuskError(Code.UNAVAILABLE, 'server shutting down');
  calls.abortAll(shuttingDown);
  assert.equal(firstSignal.reason, shuttingDown);
  assert.equal(second.aborted, true);
  assert.equal(second.signal.reason, shuttingDown);
});

test('after close() a signal read late never aborts, and the call is not tracked', () => {
  const calls = new ActiveCalls();
  const call = new FakeCall();
  const abort = open(calls, call);
  abort.close();
  call.cancel();
  assert.equal(abort.aborted, false);
  assert.equal(abort.signal.aborted, false);
  assert.equal(call.listenerCount('cancelled'), 0);
  assert.equal(calls.size, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { errorToStatus, malformedRequestError } from '../../../src/server/handler-errors.js';
import { STATUS_DETAILS_TRAILER } from '../../../src/status/index.js';
import { decodeStatusDetails } from '../../../src/status/status-details.js';
import { markDownstream } from '../../../src/status/downstream.js';
import { MalformedRequest, bufferCodec } from '../../../src/server/codec.js';
import { deadlineMs, deadlinePassed } from '../../../src/server/create-call-context.js';
import type { MethodDescriptor } from '../../../src/config/service-definition.js';

function recordingLogger() {
  const lines: Record<string, any>[] = [];
  return { lines, logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}
const live = () => new AbortController().signal;

test('TuskError keeps its code and message; details travel as a google.rpc.Status in grpc-status-details-bin', () => {
  const { logger, lines } = recordingLogger();
  const details = { fieldViolations: [{ field: 'name', description: 'must not be empty' }] };
  const status = errorToStatus(new TuskError(Code.INVALID_ARGUMENT, 'bad name', details), live(), logger);
  assert.equal(status.code, Code.INVALID_ARGUMENT);
  assert.equal(status.details, 'bad name');
  assert.equal(STATUS_DETAILS_TRAILER, 'grpc-status-details-bin');
  const trailer = status.metadata.get(STATUS_DETAILS_TRAILER)[0];
  assert.ok(Buffer.isBuffer(trailer));
  assert.deepEqual(decodeStatusDetails(trailer), { code: Code.INVALID_ARGUMENT, message: 'bad name', details });
  assert.equal(lines.length, 0, 'an expected client error is not logged as a failure');
});

test('a TuskError without details sends no details trailer', () => {
  const { logger } = recordingLogger();
  assert.deepEqual(errorToStatus(new TuskError(Code.NOT_FOUND, 'gone'), live(), logger).metadata.get(STATUS_DETAILS_TRAILER), []);
  assert.deepEqual(errorToStatus(new TuskError(Code.NOT_FOUND, 'gone', {}), live(), logger).metadata.get(STATUS_DETAILS_TRAILER), []);
});

test('any other error is INTERNAL "internal error"; the stack goes to the log only', () => {
  const { logger, lines } = recordingLogger();
  const status = errorToStatus(new RangeError('db password is hunter2'), live(), logger);
  assert.equal(status.code, Code.INTERNAL);
  assert.equal(status.details, 'internal error');
  assert.deepEqual(status.metadata.toJSON(), {});
  assert.equal(lines[0]!.err.message, 'db password is hunter2');
  assert.match(lines[0]!.err.stack, /RangeError/);
  assert.equal(lines[0]!.level, 50);
});

test('a passed-on downstream failure goes out without its address; the log keeps the original message', () => {
  const { logger, lines } = recordingLogger();
  const received = markDownstream(new TuskError(Code.UNAVAILABLE, 'Connection dropped, remote_addr=10.0.0.7:5000'), '10.0.0.7:5000');
  const status = errorToStatus(received, live(), logger);
  assert.equal(status.details, 'Connection dropped');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.err.message, 'Connection dropped, remote_addr=10.0.0.7:5000');
  assert.equal(lines[0]!.level, 30);
});

test('an error thrown after the call was aborted reports the abort reason, not a bug', () => {
  const { logger, lines } = recordingLogger();
  const controller = new AbortController();
  controller.abort(new TuskError(Code.DEADLINE_EXCEEDED, 'deadline exceeded'));
  const status = errorToStatus(new Error('fetch aborted'), controller.signal, logger);
  assert.equal(status.code, Code.DEADLINE_EXCEEDED);
  assert.ok(lines.every((line) => line.level < 50));
});

test('the request codec never throws into grpc-js: bad bytes become MalformedRequest → INVALID_ARGUMENT', () => {
  const method = {
    serializeResponse: (value: string) => new TextEncoder().encode(value),
    deserializeRequest: (bytes: Uint8Array) => {
      if (bytes.length === 0) throw new Error('empty');
      return new TextDecoder().decode(bytes);
    },
  } as unknown as MethodDescriptor;
  const codec = bufferCodec(method);
  assert.equal(codec.deserialize(Buffer.from('hi')), 'hi');
  const bad = codec.deserialize(Buffer.alloc(0));
  assert.ok(bad instanceof MalformedRequest);
  const error = malformedRequestError(bad);
  assert.equal(error.code, Code.INVALID_ARGUMENT);
  assert.match(error.message, /empty/);
  // Zero-copy: the Buffer views the codec's bytes.
  const serialized = codec.serialize('abc');
  assert.ok(Buffer.isBuffer(serialized));
  assert.equal(serialized.toString(), 'abc');
});

test('deadlines: grpc-js Infinity means none; a cancel within the tolerance of the deadline counts as the deadline', () => {
  assert.equal(deadlineMs(Number.POSITIVE_INFINITY), undefined);
  assert.equal(deadlineMs(new Date(1_000)), 1_000);
  assert.equal(deadlinePassed(Number.POSITIVE_INFINITY, 5_000), false);
  assert.equal(deadlinePassed(10_000, 10_000), true);
  assert.equal(deadlinePassed(10_000, 9_990), true);
  assert.equal(deadlinePassed(10_000, 9_000), false);
});

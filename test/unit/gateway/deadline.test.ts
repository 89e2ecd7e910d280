import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadlineOptions, requestedTimeoutMs } from '../../../src/gateway/deadline.js';
import { httpStatusOf } from '../../../src/gateway/http-errors.js';
import { Code } from '../../../src/status/codes.js';

test('grpc-timeout units, then connect-timeout-ms, else none', () => {
  assert.equal(requestedTimeoutMs({ 'grpc-timeout': '2S' }), 2000);
  assert.equal(requestedTimeoutMs({ 'grpc-timeout': '1M' }), 60_000);
  assert.equal(requestedTimeoutMs({ 'grpc-timeout': '1H' }), 3_600_000);
  assert.equal(requestedTimeoutMs({ 'grpc-timeout': '250m' }), 250);
  assert.equal(requestedTimeoutMs({ 'grpc-timeout': '5000u' }), 5);
  assert.equal(requestedTimeoutMs({ 'grpc-timeout': '3000000n' }), 3);
  assert.equal(requestedTimeoutMs({ 'grpc-timeout': '100m', 'connect-timeout-ms': '9' }), 100);
  assert.equal(requestedTimeoutMs({ 'connect-timeout-ms': '750' }), 750);
  assert.equal(requestedTimeoutMs({}), undefined);
});

test('malformed timeouts are the caller\'s 400, never "no deadline"', () => {
  for (const value of ['10', '1s', '123456789S', '-1S', '']) assert.throws(() => requestedTimeoutMs({ 'grpc-timeout': value }), { code: Code.INVALID_ARGUMENT });
  for (const value of ['1.5', 'soon', '12345678901']) assert.throws(() => requestedTimeoutMs({ 'connect-timeout-ms': value }), { code: Code.INVALID_ARGUMENT });
});

test('max_timeout caps a requested timeout and bounds the route default', () => {
  assert.deepEqual(deadlineOptions(60_000, 30_000, 1000), { timeout: 30_000, deadline: 31_000 });
  assert.deepEqual(deadlineOptions(100, 30_000, 1000), { timeout: 100, deadline: 31_000 });
  assert.deepEqual(deadlineOptions(undefined, 30_000, 1000), { deadline: 31_000 });
});

test('gRPC code to HTTP status', () => {
  const table: [Code, number][] = [
    [Code.OK, 200], [Code.CANCELLED, 499], [Code.UNKNOWN, 500], [Code.INVALID_ARGUMENT, 400], [Code.DEADLINE_EXCEEDED, 504], [Code.NOT_FOUND, 404],
    [Code.ALREADY_EXISTS, 409], [Code.PERMISSION_DENIED, 403], [Code.RESOURCE_EXHAUSTED, 429], [Code.FAILED_PRECONDITION, 400], [Code.ABORTED, 409],
    [Code.OUT_OF_RANGE, 400], [Code.UNIMPLEMENTED, 501], [Code.INTERNAL, 500], [Code.UNAVAILABLE, 503], [Code.DATA_LOSS, 500], [Code.UNAUTHENTICATED, 401],
  ];
  for (const [code, status] of table) assert.equal(httpStatusOf(code), status, Code[code]);
});

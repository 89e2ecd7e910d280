// TuskError's typed details <-> the standard google.rpc.Status that travels
// in grpc-status-details-bin, checked against the generated google.rpc types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code } from '../../../src/status/codes.js';
import { BadRequest, RetryInfo } from '../../../src/status/google/rpc/error_details.js';
import { Status } from '../../../src/status/google/rpc/status.js';
import { decodeStatusDetails, encodeStatusDetails } from '../../../src/status/status-details.js';
import type { ErrorDetails } from '../../../src/status/error-details.js';

function encoded(code: Code, message: string, details: ErrorDetails): Uint8Array {
  const bytes = encodeStatusDetails(code, message, details);
  assert.ok(bytes !== undefined, 'details to send');
  return bytes;
}

test('field violations become a standard google.rpc.BadRequest inside a google.rpc.Status', () => {
  const bytes = encoded(Code.INVALID_ARGUMENT, 'invalid order', { fieldViolations: [{ field: 'user_id', description: 'must not be empty' }] });
  const status = Status.decode(bytes);
  assert.equal(status.code, Code.INVALID_ARGUMENT);
  assert.equal(status.message, 'invalid order');
  assert.equal(status.details.length, 1);
  assert.equal(status.details[0]!.typeUrl, 'type.googleapis.com/google.rpc.BadRequest');
  const badRequest = BadRequest.decode(status.details[0]!.value);
  assert.deepEqual(badRequest.fieldViolations.map(({ field, description }) => ({ field, description })), [{ field: 'user_id', description: 'must not be empty' }]);
});

test('every modelled detail kind round-trips with plain values; the retry delay is in milliseconds', () => {
  const details: ErrorDetails = {
    fieldViolations: [{ field: 'email', description: 'is taken', reason: 'TAKEN' }, { field: 'name', description: 'is empty' }],
    errorInfo: { reason: 'STOCK_EMPTY', domain: 'shop.example.com', metadata: { sku: 'mug' } },
    retryInfo: { retryDelayMs: 1_500 },
    resourceInfo: { resourceType: 'order', resourceName: 'o_1', owner: 'u_1', description: 'is locked' },
    preconditionFailure: [{ type: 'TOS', subject: 'user u_1', description: 'terms not accepted' }],
    quotaFailure: [{ subject: 'project:p', description: 'daily limit reached' }],
    help: [{ description: 'limits', url: 'https://example.com/limits' }],
    localizedMessage: { locale: 'de-DE', message: 'Ungültige Bestellung' },
    debugInfo: { stackEntries: ['a.ts:1'], detail: 'why' },
    requestInfo: { requestId: 'r-1', servingData: 'shard 7' },
  };
  const decoded = decodeStatusDetails(encoded(Code.FAILED_PRECONDITION, 'no', details));
  assert.deepEqual(decoded, { code: Code.FAILED_PRECONDITION, message: 'no', details });
  assert.equal(RetryInfo.decode(Status.decode(encoded(Code.UNAVAILABLE, 'later', { retryInfo: { retryDelayMs: 1_500 } })).details[0]!.value).retryDelay?.nanos, 500_000_000);
});

test('a detail message of a type it does not model is kept as its Any, and sent back unchanged', () => {
  const other = { typeUrl: 'type.googleapis.com/acme.v1.Custom', value: Uint8Array.from([8, 1]) };
  const bytes = encoded(Code.ABORTED, 'x', { other: [other], errorInfo: { reason: 'R', domain: 'd' } });
  const decoded = decodeStatusDetails(bytes);
  assert.deepEqual(decoded?.details, { errorInfo: { reason: 'R', domain: 'd' }, other: [other] });
  assert.deepEqual(Status.decode(encoded(Code.ABORTED, 'x', decoded!.details!)), Status.decode(bytes));
});

test('nothing to send without details; a Status without details decodes to undefined details, bytes that are not one to undefined', () => {
  assert.equal(encodeStatusDetails(Code.NOT_FOUND, 'gone', {}), undefined);
  assert.equal(encodeStatusDetails(Code.NOT_FOUND, 'gone', { fieldViolations: [] }), undefined);
  assert.deepEqual(decodeStatusDetails(Status.encode({ code: Code.NOT_FOUND, message: 'gone', details: [] }).finish()), { code: Code.NOT_FOUND, message: 'gone', details: undefined });
  assert.equal(decodeStatusDetails(Uint8Array.from([0xff, 0xff, 0xff])), undefined);
});

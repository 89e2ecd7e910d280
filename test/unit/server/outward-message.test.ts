// What a server sends outward for an error a handler passes on from a downstream call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotSentError } from '../../../src/resilience/failure.js';
import { outwardMessage } from '../../../src/server/outward-message.js';
import { Code } from '../../../src/status/codes.js';
import { markDownstream } from '../../../src/status/downstream.js';
import { TuskError } from '../../../src/status/tusk-error.js';

test("grpc-js' deadline diagnostics (LB pick, remote_addr) are cut from a received error", () => {
  const error = markDownstream(new TuskError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded after 0.501s,LB pick: 0.001s,remote_addr=127.0.0.1:45379'), '127.0.0.1:45379');
  assert.equal(outwardMessage(error), 'Deadline exceeded after 0.501s');
});

test('the downstream address and any IP address in a received message become [address]', () => {
  const error = markDownstream(new TuskError(Code.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 10.1.2.3:50051 via users.internal:7000'), 'users.internal:7000');
  assert.equal(outwardMessage(error), 'No connection established. Last error: connect ECONNREFUSED [address] via [address]');
  const v6 = markDownstream(new TuskError(Code.UNAVAILABLE, 'read ECONNRESET ipv6:[::1]:4000'), '[::1]:4000');
  assert.equal(outwardMessage(v6), 'read ECONNRESET [address]');
});

test("the client's own transport failures (NotSentError) name no endpoint outward, whatever the host", () => {
  assert.equal(outwardMessage(new NotSentError(Code.UNAVAILABLE, 'circuit open for endpoint user-1.prod.example:50051')), 'circuit open for endpoint [address]');
  assert.equal(outwardMessage(new NotSentError(Code.UNAVAILABLE, 'no connection to 127.0.0.1:34207')), 'no connection to [address]');
});

test("a handler's own TuskError, and a received message without addresses, go out unchanged", () => {
  assert.equal(outwardMessage(new TuskError(Code.INVALID_ARGUMENT, 'address 10.0.0.1:80 is not allowed')), 'address 10.0.0.1:80 is not allowed');
  assert.equal(outwardMessage(markDownstream(new TuskError(Code.NOT_FOUND, 'user "u_1" (sku:42) does not exist'), '127.0.0.1:1')), 'user "u_1" (sku:42) does not exist');
});

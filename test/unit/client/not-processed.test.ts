import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notProcessedError } from '../../../src/client/not-processed.js';
import { NotSentError } from '../../../src/resilience/failure.js';
import { Code } from '../../../src/status/codes.js';

test('grpc-js texts of failures before any handler ran become NotSentError', () => {
  for (const [code, details] of [
    [Code.UNAVAILABLE, 'Stream refused by server'],
    [Code.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: '],
    [Code.INTERNAL, 'Failed to start HTTP/2 stream with error The session has been destroyed'],
  ] as const) {
    const error = notProcessedError({ code, details });
    assert.ok(error instanceof NotSentError, details);
    assert.equal(error.code, Code.UNAVAILABLE);
  }
});

test('statuses a server sent, and our own relayed NotSent texts, stay "may have run"', () => {
  const relayed = notProcessedError({ code: Code.UNAVAILABLE, details: 'Stream refused by server' })!;
  for (const [code, details] of [
    [Code.UNAVAILABLE, 'server shutting down'],
    [Code.UNAVAILABLE, 'Connection dropped'],
    [Code.INTERNAL, 'Stream refused by server'],
    [Code.UNAVAILABLE, relayed.message],
    [Code.CANCELLED, 'Call cancelled'],
  ] as const) {
    assert.equal(notProcessedError({ code, details }), undefined, details);
  }
});

// The error bodies' details in canonical proto3 JSON (pure logic: a TuskError in, the body text out).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectErrorResponse, restErrorResponse } from '../../../src/gateway/http-errors.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';

const quota = new TuskError(Code.RESOURCE_EXHAUSTED, 'slow down', {
  fieldViolations: [{ field: 'items[0].sku', description: 'too long', reason: 'SKU_LENGTH' }],
  retryInfo: { retryDelayMs: 1000 },
  errorInfo: { reason: 'QUOTA', domain: 'acme.example', metadata: { limit: '10' } },
  other: [{ typeUrl: 'type.googleapis.com/acme.v1.Unknown', value: new Uint8Array([8, 1]) }],
});

test('REST: google.rpc.Status whose details are canonical Any JSON; an unknown type keeps its bytes', () => {
  const response = restErrorResponse(quota, undefined);
  assert.equal(response.status, 429);
  const body = JSON.parse(response.body);
  assert.equal(body.code, Code.RESOURCE_EXHAUSTED);
  const byType = Object.fromEntries(body.details.map((detail: { '@type': string }) => [detail['@type'].split('/')[1], detail]));
  assert.deepEqual(byType['google.rpc.RetryInfo'], { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' });
  assert.deepEqual(byType['google.rpc.BadRequest'].fieldViolations, [{ field: 'items[0].sku', description: 'too long', reason: 'SKU_LENGTH' }]);
  assert.deepEqual(byType['google.rpc.ErrorInfo'], { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'QUOTA', domain: 'acme.example', metadata: { limit: '10' } });
  assert.deepEqual(byType['acme.v1.Unknown'], { '@type': 'type.googleapis.com/acme.v1.Unknown', value: 'CAE=' });
});

test('Connect: each detail keeps type and unpadded base64 value, with its canonical JSON as debug where the type is known', () => {
  const body = JSON.parse(connectErrorResponse(quota, undefined).body);
  assert.equal(body.code, 'resource_exhausted');
  const retry = body.details.find((detail: { type: string }) => detail.type === 'google.rpc.RetryInfo');
  assert.deepEqual(retry.debug, { retryDelay: '1s' });
  const unknown = body.details.find((detail: { type: string }) => detail.type === 'acme.v1.Unknown');
  assert.deepEqual(unknown, { type: 'acme.v1.Unknown', value: 'CAE' });
});

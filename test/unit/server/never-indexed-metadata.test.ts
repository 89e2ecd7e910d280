// The chain's response metadata: the same headers as grpc-js' Metadata, with
// the per-call values marked never-indexed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { Metadata } from '@grpc/grpc-js';
import { NeverIndexedMetadata } from '../../../src/server/never-indexed-metadata.js';
import { setKnownLegalText } from '../../../src/server/create-call-context.js';

test('setKnownLegalText stores what set() would; the headers carry the never-indexed marker', () => {
  const ours = new NeverIndexedMetadata();
  setKnownLegalText(ours, 'x-request-id', '7d4c8a2e-0f1b-4c3d-9e8f-1a2b3c4d5e6f');
  ours.set('x-tenant', 'acme');
  const reference = new Metadata();
  reference.set('x-request-id', '7d4c8a2e-0f1b-4c3d-9e8f-1a2b3c4d5e6f');
  reference.set('x-tenant', 'acme');
  assert.deepEqual(ours.getMap(), reference.getMap());
  const headers = ours.toHttp2Headers();
  assert.deepEqual(Object.entries(headers), Object.entries(reference.toHttp2Headers()));
  assert.ok(((headers as Record<symbol, unknown>)[http2.sensitiveHeaders] as string[]).includes('x-request-id'));
  assert.deepEqual(ours.clone().getMap(), reference.getMap());
});

// The wire pieces the lean client adds to the shared codec (src/wire/):
// grpc-message decoding, grpc-timeout encoding, metadata to and from headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMetadataHeaders, binaryHeader, encodeGrpcTimeout, metadataRecord, parseGrpcTimeout, percentDecodeMessage, percentEncodeMessage } from '../../../src/wire/index.js';

test('grpc-message: non-ASCII and % round-trip; a malformed escape is kept as it is', () => {
  for (const message of ['plain', 'échec — 失败 100% ✓', '%', 'tab\there', '']) {
    assert.equal(percentDecodeMessage(percentEncodeMessage(message)), message);
  }
  assert.equal(percentEncodeMessage('100%'), '100%25');
  assert.equal(percentDecodeMessage('bad %zz and %4'), 'bad %zz and %4');
});

test('grpc-timeout: milliseconds while they fit in 8 digits, then seconds, then hours; never below 0; parsed back at least as long', () => {
  assert.equal(encodeGrpcTimeout(1500), '1500m');
  assert.equal(encodeGrpcTimeout(0.2), '1m');
  assert.equal(encodeGrpcTimeout(-5), '0m');
  assert.equal(encodeGrpcTimeout(100_000_000), '100000S');
  assert.equal(encodeGrpcTimeout(1e15), '99999999H');
  for (const ms of [1, 999, 99_999_999, 100_000_001, 5e11]) assert.ok(parseGrpcTimeout(encodeGrpcTimeout(ms))! >= ms);
});

test('metadata: caller keys become headers, gRPC-owned and pseudo headers never do; -bin stays base64 text', () => {
  const headers = addMetadataHeaders({ ':path': '/a/B' }, { 'x-tenant': 'acme', 'x-blob-bin': 'AAH/', 'grpc-timeout': '1S', te: 'gzip', ':authority': 'evil' });
  assert.deepEqual(headers, { ':path': '/a/B', 'x-tenant': 'acme', 'x-blob-bin': 'AAH/' });
  const record = metadataRecord({ ':status': '200', 'content-type': 'application/grpc', 'grpc-encoding': 'gzip', 'x-one': 'a', 'x-many': ['b', 'c'], 'x-blob-bin': ['AAE=', 'Ag=='] });
  assert.deepEqual(record, { 'x-one': 'a', 'x-many': 'b, c', 'x-blob-bin': 'AAE=,Ag==' });
  assert.deepEqual(binaryHeader({ 'x-blob-bin': 'AAH/' }, 'x-blob-bin'), Buffer.from([0, 1, 255]));
  assert.equal(binaryHeader({}, 'x-blob-bin'), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CORS_SECTION, GATEWAY_METHODS_SECTION, GATEWAY_SECTION, parseByteSize, RATE_LIMIT_SECTION } from '../../../src/config/schema-gateway.js';
import type { BlockSpec } from '../../../src/config/schema-types.js';
import type { LeafSpec } from '../../../src/config/schema-types.js';

test('max_body sizes: decimal and binary units, plain bytes; anything else is refused by the key check', () => {
  assert.equal(parseByteSize('4MB'), 4_000_000);
  assert.equal(parseByteSize('512KiB'), 524_288);
  assert.equal(parseByteSize('1.5 MiB'), 1_572_864);
  assert.equal(parseByteSize('2048'), 2048);
  for (const bad of ['', 'MB', '4 TB', '-1MB', '0', '4mb']) assert.equal(parseByteSize(bad), undefined, bad);
  const check = (GATEWAY_SECTION.keys.max_body as LeafSpec).check!;
  assert.equal(check('4MB'), undefined);
  assert.match(check('lots')!, /is not a size/);
  assert.equal(check((GATEWAY_SECTION.keys.max_body as LeafSpec).default as string), undefined);
});

test('the contract keys of [gateway]', () => {
  assert.deepEqual(Object.keys(GATEWAY_SECTION.keys), ['port', 'host', 'max_body', 'max_timeout', 'services', 'emit_zero_values', 'trusted_proxies']);
});

test('the contract keys of [cors], [rate_limit] and [methods] (issue 13)', () => {
  assert.deepEqual(Object.keys(CORS_SECTION.keys), ['allow_origins', 'allow_methods', 'allow_headers', 'expose_headers', 'allow_credentials', 'max_age']);
  assert.deepEqual(Object.keys(RATE_LIMIT_SECTION.keys), ['requests', 'window', 'key', 'store', 'redis_url']);
  assert.deepEqual((RATE_LIMIT_SECTION.keys.key as LeafSpec).type, { kind: 'enum', values: ['ip', 'subject', 'api_key'] });
  assert.deepEqual((RATE_LIMIT_SECTION.keys.store as LeafSpec).type, { kind: 'enum', values: ['memory', 'redis'] });
  assert.equal((RATE_LIMIT_SECTION.keys.redis_url as LeafSpec).secret, true);
  const method = GATEWAY_METHODS_SECTION.entry as BlockSpec;
  assert.deepEqual(Object.keys(method.keys), ['public', 'scopes', 'rate_limit']);
  assert.deepEqual(Object.keys((method.keys.rate_limit as BlockSpec).keys), ['requests', 'window']);
});

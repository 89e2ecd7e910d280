import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GATEWAY_SECTION, parseByteSize } from '../../../src/config/schema-gateway.js';
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
  assert.deepEqual(Object.keys(GATEWAY_SECTION.keys), ['port', 'host', 'max_body', 'max_timeout', 'services', 'emit_zero_values']);
});

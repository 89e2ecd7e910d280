// New request ids are version 4 UUIDs (docs/observability.md), unique across
// the random batches they are drawn from, and independent strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRequestId } from '../../../src/telemetry/request-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('request ids are version 4 UUIDs, all different over several random batches', () => {
  const seen = new Set<string>();
  const first = newRequestId();
  for (let i = 0; i < 1_000; i++) {
    const id = newRequestId();
    assert.match(id, UUID_V4);
    seen.add(id);
  }
  assert.equal(seen.size, 1_000);
  assert.match(first, UUID_V4, 'an id handed out earlier is not changed by later ones');
  assert.ok(!seen.has(first));
});

test('every hex digit shows up in the random positions (no stuck bits)', () => {
  const digitsAt = Array.from({ length: 36 }, () => new Set<string>());
  for (let i = 0; i < 2_000; i++) [...newRequestId()].forEach((char, at) => digitsAt[at]!.add(char));
  for (const at of [0, 7, 9, 15, 20, 35]) assert.equal(digitsAt[at]!.size, 16, `position ${at}`);
  assert.deepEqual([...digitsAt[19]!].sort(), ['8', '9', 'a', 'b']);
});

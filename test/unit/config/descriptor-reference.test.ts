import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDescriptorReference } from '../../../src/config/index.js';

const docPath = fileURLToPath(new URL('../../../docs/descriptor-reference.md', import.meta.url));

test('docs/descriptor-reference.md is what the schema renders (UPDATE_DOCS=1 rewrites it)', () => {
  const rendered = renderDescriptorReference();
  if (process.env.UPDATE_DOCS === '1') writeFileSync(docPath, rendered);
  assert.equal(readFileSync(docPath, 'utf8'), rendered);
});

test('the reference names every contract key of DESIGN.md', () => {
  const rendered = renderDescriptorReference();
  for (const key of ['`name`', '`port`', '`provider`', '`ttl`', '`shutdown_grace`', '`balancer`', '`retry.max_attempts`', '`circuit_breaker.half_open_after`', '`<method>.idempotent`', '`<dependency>.service`']) {
    assert.ok(rendered.includes(key), `missing ${key}`);
  }
});

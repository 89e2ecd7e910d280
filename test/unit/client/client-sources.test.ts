// Where a client finds its endpoints has one source: fixed `endpoints`, a `registry`
// instance, or the descriptor's [discovery] (with `discovery` overrides). Naming two
// is a mistake the caller must hear about, not a silent pick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { echoDescriptor } from '../../helpers/echo-service.js';

test('endpoints together with a registry or discovery overrides is a TypeError naming both', () => {
  const registry = new StaticRegistry([]);
  assert.throws(() => createClient(echoDescriptor(), { endpoints: ['127.0.0.1:1'], registry }), { name: 'TypeError', message: /endpoints.*registry/ });
  assert.throws(() => createClient(echoDescriptor(), { endpoints: ['127.0.0.1:1'], discovery: { provider: 'etcd' } }), { name: 'TypeError', message: /endpoints.*discovery/ });
  assert.throws(() => createClient(echoDescriptor(), { registry, discovery: { provider: 'etcd' } }), { name: 'TypeError', message: /registry.*discovery/ });
});

test('each source alone still builds a client', async () => {
  for (const options of [{ endpoints: ['127.0.0.1:1'] }, { registry: new StaticRegistry([]) }, { discovery: { provider: 'static' as const, endpoints: ['127.0.0.1:1'] } }]) {
    await closeClient(createClient(echoDescriptor(), options));
  }
});

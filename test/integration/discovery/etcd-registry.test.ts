import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { createRegistry, type Registry } from '../../../src/discovery/index.js';
import type { DiscoverySection } from '../../../src/config/types.js';
import { freePort, startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { waitUntil } from '../../helpers/wait.js';
import { EndpointRecorder } from './endpoint-recorder.js';

const SERVICE = 'user.v1.UserService';

function etcdSection(etcd: EtcdServer, overrides: Partial<DiscoverySection> = {}): DiscoverySection {
  return { provider: 'etcd', endpoints: [etcd.endpoint], prefix: 'services', ttlMs: 10_000, dir: '', ...overrides };
}

describe('etcd registry: layout, register, deregister, watch', () => {
  let etcd: EtcdServer;
  let plain: Etcd3;
  before(async () => {
    etcd = await startEtcd();
    plain = new Etcd3({ hosts: `http://${etcd.endpoint}` });
  });
  after(async () => {
    plain.close();
    await etcd.destroy();
  });

  test('register writes the contract key and value under a lease; deregister revokes it', async () => {
    const registry = createRegistry(etcdSection(etcd));
    try {
      const metadata = { version: '1.2.3', instanceId: 'a1', region: 'eu', weight: 5 };
      const handle = await registry.register({ service: SERVICE, address: '127.0.0.1:50051', metadata });
      const key = `services/${SERVICE}/127.0.0.1:50051`;
      const raw = await plain.get(key).string();
      assert.equal(raw, JSON.stringify({ Op: 0, Addr: '127.0.0.1:50051', Metadata: metadata }));
      const response = await plain.get(key).exec();
      const lease = response.kvs[0]?.lease;
      assert.ok(lease && lease !== '0', 'the key is bound to a lease');
      const ttl = await plain.leaseClient.leaseTimeToLive({ ID: lease });
      assert.ok(Number(ttl.grantedTTL) === 10, `granted TTL is the descriptor's 10 s, got ${ttl.grantedTTL}`);

      await handle.deregister();
      assert.equal(await plain.get(key).string(), null);
      const afterRevoke = await plain.leaseClient.leaseTimeToLive({ ID: lease });
      assert.equal(afterRevoke.TTL, '-1', 'the lease is revoked, not just the key deleted');
      await handle.deregister(); // idempotent
    } finally {
      await registry.close();
    }
  });

  test('register fails fast when etcd cannot be reached, and the registry still closes', async () => {
    const nobody = await freePort();
    const registry = createRegistry({ provider: 'etcd', endpoints: [`127.0.0.1:${nobody}`], prefix: 'services', ttlMs: 10_000, dir: '' });
    try {
      await assert.rejects(registry.register({ service: SERVICE, address: '127.0.0.1:50052', metadata: {} }));
    } finally {
      await registry.close();
    }
  });

  test('a wildcard address is refused', async () => {
    const registry = createRegistry(etcdSection(etcd));
    try {
      await assert.rejects(registry.register({ service: SERVICE, address: '0.0.0.0:50051', metadata: {} }), /wildcard/);
    } finally {
      await registry.close();
    }
  });

  test('watch delivers the initial list, then puts and deletes incrementally; garbage values are ignored', async () => {
    const prefix = 'watch-test';
    const registry = createRegistry(etcdSection(etcd, { prefix }));
    const writer = createRegistry(etcdSection(etcd, { prefix }));
    const recorder = new EndpointRecorder();
    try {
      const first = await writer.register({ service: SERVICE, address: '127.0.0.1:7001', metadata: { weight: 1 } });
      // A neighbour service whose name extends ours must not leak in (trailing slash).
      await plain.put(`${prefix}/${SERVICE}V2/127.0.0.1:9999`).value(JSON.stringify({ Op: 0, Addr: '127.0.0.1:9999', Metadata: {} }));
      const unwatch = registry.watch(SERVICE, recorder.listener);
      await recorder.until(['127.0.0.1:7001']);
      assert.deepEqual(recorder.lists[0], ['127.0.0.1:7001'], 'the first emission is the listed state');

      const second = await writer.register({ service: SERVICE, address: '127.0.0.1:7002', metadata: {} });
      await recorder.until(['127.0.0.1:7001', '127.0.0.1:7002']);

      await plain.put(`${prefix}/${SERVICE}/garbage`).value('not json');
      await plain.put(`${prefix}/${SERVICE}/wrong-shape`).value(JSON.stringify({ Addr: 5 }));
      // A Go writer may omit Metadata.
      await plain.put(`${prefix}/${SERVICE}/127.0.0.1:7003`).value(JSON.stringify({ Op: 0, Addr: '127.0.0.1:7003' }));
      await recorder.until(['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003']);

      await first.deregister();
      await recorder.until(['127.0.0.1:7002', '127.0.0.1:7003']);
      await plain.delete().key(`${prefix}/${SERVICE}/127.0.0.1:7003`);
      await second.deregister();
      await recorder.until([]);
      for (const list of recorder.lists) assert.ok(!list.includes('127.0.0.1:9999'));
      unwatch();
    } finally {
      await Promise.all([registry.close(), writer.close()]);
    }
  });

  test('metadata round-trips to watchers', async () => {
    const registry: Registry = createRegistry(etcdSection(etcd, { prefix: 'meta' }));
    try {
      await registry.register({ service: SERVICE, address: '127.0.0.1:7100', metadata: { version: '2', weight: 3 } });
      let seen: unknown;
      const unwatch = registry.watch(SERVICE, (endpoints) => (seen = endpoints));
      await waitUntil(() => Array.isArray(seen) && seen.length === 1, 15_000, 'one endpoint');
      assert.deepEqual(seen, [{ address: '127.0.0.1:7100', metadata: { version: '2', weight: 3 } }]);
      unwatch();
    } finally {
      await registry.close();
    }
  });
});

// Outages with a real etcd: the registration always comes back, watchers
// never forget what they knew, compaction forces a re-list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3, type IKeyValue } from 'etcd3';
import { createRegistry } from '../../../src/discovery/index.js';
import type { DiscoverySection } from '../../../src/config/types.js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { startTcpProxy } from './tcp-proxy.js';
import { waitUntil } from '../../helpers/wait.js';
import { EndpointRecorder } from './endpoint-recorder.js';

const SERVICE = 'user.v1.UserService';
const PREFIX = 'services';
const keyOf = (address: string): string => `${PREFIX}/${SERVICE}/${address}`;
const valueOf = (address: string): string => JSON.stringify({ Op: 0, Addr: address, Metadata: {} });

function section(endpoint: string, ttlMs: number): DiscoverySection {
  return { provider: 'etcd', endpoints: [endpoint], prefix: PREFIX, ttlMs, dir: '' };
}

async function withEtcd(run: (etcd: EtcdServer) => Promise<void>): Promise<void> {
  const etcd = await startEtcd();
  try {
    await run(etcd);
  } finally {
    await etcd.destroy();
  }
}

async function readKv(client: Etcd3, key: string): Promise<IKeyValue | undefined> {
  return (await client.get(key).exec()).kvs[0];
}

test('lease lost while etcd is down longer than 2×TTL: the key is back within 2 s of etcd answering, and stays', async () => {
  await withEtcd(async (etcd) => {
    const ttlMs = 2_000;
    const registry = createRegistry(section(etcd.endpoint, ttlMs));
    const address = '127.0.0.1:7201';
    try {
      await registry.register({ service: SERVICE, address, metadata: { version: '1' } });
      const before = new Etcd3({ hosts: `http://${etcd.endpoint}` });
      const originalLease = (await readKv(before, keyOf(address)))?.lease;
      before.close();
      assert.ok(originalLease);

      await etcd.stop();
      await sleep(2 * ttlMs + 1_500); // the outage itself: longer than 2×TTL
      await etcd.start();
      const answeredAt = Date.now();

      const checker = new Etcd3({ hosts: `http://${etcd.endpoint}` });
      try {
        const restored = await waitUntil(async () => {
          const kv = await readKv(checker, keyOf(address));
          return kv && kv.lease !== originalLease ? kv : null;
        }, 15_000, 'the key under a fresh lease');
        const backAfterMs = Date.now() - answeredAt;
        assert.ok(backAfterMs <= 2_000, `key back ${backAfterMs} ms after etcd answered`);
        assert.equal(restored.value.toString(), JSON.stringify({ Op: 0, Addr: address, Metadata: { version: '1' } }));

        // The old lease (refreshed by etcd's restart) expires now; the key must outlive it, kept alive.
        const watchUntil = Date.now() + 2 * ttlMs + 1_000;
        while (Date.now() < watchUntil) {
          const kv = await readKv(checker, keyOf(address));
          assert.ok(kv, 'the key stays registered after recovery');
          await sleep(100);
        }
      } finally {
        checker.close();
      }
    } finally {
      await registry.close();
    }
  });
});

test('someone deletes the key: it is back within one keepalive period, under the same lease', async () => {
  await withEtcd(async (etcd) => {
    const ttlMs = 6_000; // keepalive period TTL/3 = 2 s
    const registry = createRegistry(section(etcd.endpoint, ttlMs));
    const plain = new Etcd3({ hosts: `http://${etcd.endpoint}` });
    const address = '127.0.0.1:7202';
    try {
      await registry.register({ service: SERVICE, address, metadata: {} });
      const lease = (await readKv(plain, keyOf(address)))?.lease;
      for (let round = 0; round < 2; round++) {
        await plain.delete().key(keyOf(address));
        const deletedAt = Date.now();
        const kv = await waitUntil(() => readKv(plain, keyOf(address)), 15_000, 'the key to come back');
        const backAfterMs = Date.now() - deletedAt;
        assert.ok(backAfterMs <= ttlMs / 3, `key back after ${backAfterMs} ms`);
        assert.equal(kv.lease, lease);
        assert.equal(kv.value.toString(), valueOf(address));
      }
    } finally {
      plain.close();
      await registry.close();
    }
  });
});

test('a watcher keeps the last endpoints while etcd is down and catches up after', async () => {
  await withEtcd(async (etcd) => {
    const writer = createRegistry(section(etcd.endpoint, 10_000));
    const watcher = createRegistry(section(etcd.endpoint, 10_000));
    const recorder = new EndpointRecorder();
    try {
      await writer.register({ service: SERVICE, address: '127.0.0.1:7301', metadata: {} });
      await writer.register({ service: SERVICE, address: '127.0.0.1:7302', metadata: {} });
      watcher.watch(SERVICE, recorder.listener);
      await recorder.until(['127.0.0.1:7301', '127.0.0.1:7302']);
      const emittedBeforeOutage = recorder.lists.length;

      await etcd.stop();
      await sleep(3_000); // the outage
      assert.equal(recorder.lists.length, emittedBeforeOutage, 'nothing is emitted because etcd is down');
      await etcd.start();

      const plain = new Etcd3({ hosts: `http://${etcd.endpoint}` });
      try {
        await plain.put(keyOf('127.0.0.1:7303')).value(valueOf('127.0.0.1:7303'));
        await recorder.until(['127.0.0.1:7301', '127.0.0.1:7302', '127.0.0.1:7303']);
        await plain.delete().key(keyOf('127.0.0.1:7303'));
        await recorder.until(['127.0.0.1:7301', '127.0.0.1:7302']);
      } finally {
        plain.close();
      }
      for (const list of recorder.lists) {
        assert.ok(list.includes('127.0.0.1:7301') && list.includes('127.0.0.1:7302'), `never lost endpoints: ${JSON.stringify(list)}`);
      }
    } finally {
      await Promise.all([watcher.close(), writer.close()]);
    }
  });
});

test('a watcher that missed compacted history re-lists and converges', async () => {
  await withEtcd(async (etcd) => {
    const proxy = await startTcpProxy(etcd.endpoint);
    const watcher = createRegistry(section(proxy.endpoint, 10_000));
    const plain = new Etcd3({ hosts: `http://${etcd.endpoint}` });
    const recorder = new EndpointRecorder();
    try {
      await plain.put(keyOf('127.0.0.1:7401')).value(valueOf('127.0.0.1:7401'));
      watcher.watch(SERVICE, recorder.listener);
      await recorder.until(['127.0.0.1:7401']);

      // Cut the watcher off, change things behind its back, and compact that history away.
      await proxy.block();
      await plain.put(keyOf('127.0.0.1:7402')).value(valueOf('127.0.0.1:7402'));
      await plain.delete().key(keyOf('127.0.0.1:7401'));
      for (let i = 0; i < 5; i++) await plain.put(`unrelated/${i}`).value(String(i));
      const revision = (await plain.put('unrelated/last').value('x').exec()).header.revision;
      await plain.kv.compact({ revision, physical: true });
      assert.deepEqual(recorder.latest, ['127.0.0.1:7401'], 'still the last known list while cut off');

      await proxy.unblock();
      // Resuming from the last applied revision hits the compaction; only a re-list can get here.
      await recorder.until(['127.0.0.1:7402']);
    } finally {
      plain.close();
      await watcher.close();
      await proxy.close();
    }
  });
});

test('close() returns and releases everything while etcd is down', async () => {
  await withEtcd(async (etcd) => {
    const registry = createRegistry(section(etcd.endpoint, 2_000));
    await registry.register({ service: SERVICE, address: '127.0.0.1:7501', metadata: {} });
    registry.watch(SERVICE, () => undefined);
    await etcd.stop();
    await registry.close();
    await etcd.start();
    // Not revoked (etcd was down), so the key expires with its lease.
    const plain = new Etcd3({ hosts: `http://${etcd.endpoint}` });
    try {
      await waitUntil(async () => (await readKv(plain, keyOf('127.0.0.1:7501'))) === undefined, 20_000, 'the key to expire', { intervalMs: 200 });
    } finally {
      plain.close();
    }
  });
});

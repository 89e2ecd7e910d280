import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../../helpers/etcd.js';

test('etcd harness: serves, keeps data across stop/start and kill/start, destroy removes the data dir', async () => {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: `http://${etcd.endpoint}` });
  try {
    assert.match(etcd.endpoint, /^127\.0\.0\.1:\d+$/);
    await client.put('harness/key').value('one');
    assert.equal(await client.get('harness/key').string(), 'one');

    await etcd.stop();
    const health = await fetch(`http://${etcd.endpoint}/health`).then(() => 'up', () => 'down');
    assert.equal(health, 'down');

    await etcd.start();
    assert.equal(await client.get('harness/key').string(), 'one');

    await etcd.kill();
    await etcd.start();
    assert.equal(await client.get('harness/key').string(), 'one');
  } finally {
    client.close();
    await etcd.destroy();
  }
  assert.equal(existsSync(etcd.dataDir), false);
});

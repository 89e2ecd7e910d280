import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';
import { rawEchoClient, unary, waitFor } from '../../helpers/server-raw-client.js';

let etcd: EtcdServer;
let reader: Etcd3;
before(async () => {
  etcd = await startEtcd();
  reader = new Etcd3({ hosts: `http://${etcd.endpoint}` });
});
after(async () => {
  reader.close();
  await etcd.destroy();
});

test('start registers in etcd from the descriptor and environment; stop deregisters before in-flight calls finish', async () => {
  const logs: LogLine[] = [];
  // The registry is not passed in: it is built from [discovery] with TUSK_* overriding it, as in production.
  const env = { ...process.env, TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd.endpoint, TUSK_ADVERTISE_HOST: '127.0.0.1' };
  const service = new TestEchoService('echo-etcd', {
    service: { version: '1.2.3', metadata: { region: 'test-region', weight: 7 } },
    discovery: { prefix: 'tusk-test', ttl: '5s' },
  });
  const server = new TuskServer({ host: '127.0.0.1', port: 0, env, handleSignals: false, logger: captureLogger(logs), instanceId: 'instance-a' });
  server.add(service);
  await server.start();
  const address = `127.0.0.1:${server.port}`;
  const key = `tusk-test/test.v1.EchoService/${address}`;
  const client = rawEchoClient(address);
  try {
    // Registered by the time start() resolves, in the layout etcd's Go resolver reads, bound to a lease.
    const stored = await reader.get(key).string();
    assert.ok(stored, `key ${key} present after start()`);
    assert.deepEqual(JSON.parse(stored), {
      Op: 0,
      Addr: address,
      Metadata: { region: 'test-region', weight: 7, version: '1.2.3', instance_id: 'instance-a' },
    });
    const raw = await reader.get(key).exec();
    assert.notEqual(raw.kvs[0]!.lease, '0', 'the key is bound to a lease');
    assert.equal(server.address, address);

    const slow = unary(client, 'echo', { text: 'slow', delayMs: 1_500 });
    await waitFor(() => service.inFlight === 1, 'the slow call to start');
    const stopped = server.stop();
    // The key goes first; the call is still running when it is gone.
    const deadline = Date.now() + 10_000;
    while ((await reader.get(key).string()) !== null) {
      assert.ok(Date.now() < deadline, 'key removed during the drain');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(service.inFlight, 1, 'deregistered while the call was still in flight');
    assert.equal((await slow).response.text, 'slow');
    await stopped;
    assert.equal(await reader.get(key).string(), null, 'key gone when stop() resolves');
    assert.deepEqual(await reader.getAll().prefix('tusk-test/').keys(), []);
  } finally {
    client.close();
    await server.stop();
  }
});

test('stop() is idempotent and a never-started server stops at once', async () => {
  const env = { ...process.env, TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd.endpoint };
  const server = new TuskServer({ host: '127.0.0.1', port: 0, env, handleSignals: false, logger: captureLogger([]) });
  server.add(new TestEchoService('echo-idem', { discovery: { prefix: 'tusk-idem' } }));
  await server.start();
  const key = `tusk-idem/test.v1.EchoService/127.0.0.1:${server.port}`;
  assert.ok(await reader.get(key).string());
  const first = server.stop();
  const second = server.stop();
  assert.equal(first, second, 'the same shutdown, not a second one');
  await Promise.all([first, second]);
  await server.stop();
  assert.equal(await reader.get(key).string(), null);

  const unstarted = new TuskServer({ handleSignals: false });
  unstarted.add(new TestEchoService());
  await unstarted.stop();
  assert.throws(() => unstarted.add(new TestEchoService('again')), /before start/);
});

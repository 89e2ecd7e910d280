// The advertise rule holds when the application hands the server its own
// EtcdRegistry (TuskServerOptions.registry) instead of naming etcd in
// [discovery]: a wildcard-bound server must not put 127.0.0.1 into etcd,
// where other machines read it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdRegistry, type Endpoint } from '../../../src/discovery/index.js';
import { firstExternalAddress } from '../../../src/server/advertise-host.js';
import type { Logger } from '../../../src/telemetry/index.js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

let etcd: EtcdServer;
let registry: EtcdRegistry;
let fixture: EchoServerFixture | undefined;

before(async () => {
  etcd = await startEtcd();
  registry = new EtcdRegistry({ endpoints: [etcd.endpoint], prefix: 'services', ttlMs: 10_000, logger: quiet });
});
after(async () => {
  await fixture?.close();
  await registry.close().catch(() => {});
  await etcd.destroy();
});

test('a wildcard-bound server given its own EtcdRegistry registers a reachable address, never loopback', { timeout: 60_000 }, async (t) => {
  const external = firstExternalAddress();
  if (external === undefined) {
    await assert.rejects(startEchoServer({ host: '0.0.0.0', registry }), /no address to register in etcd/);
    return;
  }
  fixture = await startEchoServer({ host: '0.0.0.0', registry });
  const service = fixture.service.descriptor.name;
  let seen: readonly Endpoint[] = [];
  const unwatch = registry.watch(service, (endpoints) => (seen = endpoints));
  t.after(unwatch);
  await waitUntil(() => seen.length === 1, 10_000, 'the instance in etcd');
  assert.equal(seen[0]!.address, `${external}:${fixture.server.port}`);
});

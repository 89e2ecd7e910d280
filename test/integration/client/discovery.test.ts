import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientEndpoints, closeClient, createClient } from '../../../src/client/index.js';
import { EtcdRegistry, type RegistrationHandle } from '../../../src/discovery/index.js';
import type { Logger } from '../../../src/telemetry/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { startEchoServer, type EchoServer } from './echo-grpc-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { runLoad } from './echo-children.js';

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const SERVICE = 'test.v1.EchoService';
const PREFIX = 'services';
// Long enough that no lease expires while etcd is stopped; lease recovery is the registry's own test.
const TTL_MS = 60_000;

let etcd: EtcdServer;
let registry: EtcdRegistry;
const servers: EchoServer[] = [];

before(async () => {
  etcd = await startEtcd();
  registry = new EtcdRegistry({ endpoints: [etcd.endpoint], prefix: PREFIX, ttlMs: TTL_MS, logger: quiet });
});
after(async () => {
  await registry.close().catch(() => {});
  await Promise.all(servers.map((server) => server.stop()));
  await etcd.destroy();
});

async function registeredServer(): Promise<{ server: EchoServer; handle: RegistrationHandle }> {
  const server = await startEchoServer();
  servers.push(server);
  const handle = await registry.register({ service: SERVICE, address: server.address, metadata: {} });
  return { server, handle };
}

function etcdClient(): EchoServiceClient {
  return createClient<EchoServiceClient>(echoDescriptor(), {
    discovery: { provider: 'etcd', endpoints: [etcd.endpoint], prefix: PREFIX, ttlMs: TTL_MS },
    balancer: 'round_robin',
    timeout: 2_000,
    methods: { Echo: { idempotent: true } },
  });
}

test('a new instance gets traffic within 1 s of registering; a deregistered one gets no new calls', async () => {
  const first = await registeredServer();
  await registeredServer();
  const client = etcdClient();
  let stop = false;
  try {
    const load = runLoad(4, 100_000, () => client.echo({ text: 'x', delayMs: 1 }), () => stop);
    await waitUntil(() => first.server.calls.count > 10, 10_000, 'traffic on the first instance');

    const third = await registeredServer();
    const registeredAt = Date.now();
    await waitUntil(() => third.server.calls.count > 0, 5_000, 'traffic on the new instance');
    const delay = Date.now() - registeredAt;
    assert.ok(delay < 1_000, `first call reached the new instance after ${delay} ms`);

    await third.handle.deregister();
    await waitUntil(() => !clientEndpoints(client).some((endpoint) => endpoint.address === third.server.address), 2_000, 'the client to drop the instance');
    await new Promise((resolve) => setTimeout(resolve, 50)); // calls already running there may finish
    const callsAfterLeaving = third.server.calls.count;
    const othersBefore = first.server.calls.count;
    await waitUntil(() => first.server.calls.count > othersBefore + 50, 10_000, 'more traffic on the remaining instances');
    assert.equal(third.server.calls.count, callsAfterLeaving);
    stop = true;
    assert.deepEqual((await load).failures, []);
  } finally {
    stop = true;
    await closeClient(client);
  }
});

test('etcd stopped for 10 s under load: zero failed calls to live instances', async () => {
  const client = etcdClient();
  let stop = false;
  try {
    await waitUntil(() => clientEndpoints(client).length >= 2, 5_000, 'endpoints from etcd');
    const known = clientEndpoints(client).length;
    let calls = 0;
    const load = runLoad(8, 1_000_000, async () => {
      await client.echo({ text: 'during-outage', delayMs: 1 });
      calls++;
    }, () => stop);
    await waitUntil(() => calls > 20, 10_000, 'load to run');
    await etcd.stop();
    const stoppedAt = Date.now();
    const callsAtStop = calls;
    while (Date.now() - stoppedAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(calls > callsAtStop + 100, `only ${calls - callsAtStop} calls while etcd was down`);
    await etcd.start();
    const callsAtStart = calls;
    await waitUntil(() => calls > callsAtStart + 50, 10_000, 'load after etcd returned');
    stop = true;
    const { failures } = await load;
    assert.deepEqual(failures, []);
    assert.equal(clientEndpoints(client).length, known);
  } finally {
    stop = true;
    await closeClient(client);
  }
});

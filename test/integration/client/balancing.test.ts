import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import type { BalancerName } from '../../../src/config/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServer } from './echo-grpc-server.js';
import { runLoad } from './echo-children.js';

let fast: EchoServer[];
let slow: EchoServer;

before(async () => {
  fast = await Promise.all([startEchoServer({ delayMs: 1 }), startEchoServer({ delayMs: 1 })]);
  slow = await startEchoServer({ delayMs: 51 }); // 50 ms more than the others
});
after(async () => {
  await Promise.all([...fast, slow].map((server) => server.stop()));
});

async function slowShare(balancer: BalancerName): Promise<number> {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [...fast, slow].map((server) => server.address), balancer });
  try {
    const before = [...fast, slow].map((server) => server.calls.count);
    const started = Date.now();
    const { failures } = await runLoad(4, 300, () => client.echo({ text: 'x' }), () => Date.now() - started > 20_000);
    assert.deepEqual(failures, []);
    const served = [...fast, slow].map((server, i) => server.calls.count - before[i]!);
    const total = served.reduce((a, b) => a + b, 0);
    return served[2]! / total;
  } finally {
    await closeClient(client);
  }
}

test('p2c_ewma sends under 10% of calls to the instance that adds 50 ms', async (t) => {
  const share = await slowShare('p2c_ewma');
  t.diagnostic(`slow share ${(share * 100).toFixed(1)}%`);
  assert.ok(share < 0.1, `slow instance got ${(share * 100).toFixed(1)}%`);
});

test('round_robin sends about a third of calls to it', async (t) => {
  const share = await slowShare('round_robin');
  t.diagnostic(`slow share ${(share * 100).toFixed(1)}%`);
  assert.ok(share > 0.28 && share < 0.39, `slow instance got ${(share * 100).toFixed(1)}%`);
});

test('ring_hash sends calls with one hashKey to one instance', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: fast.map((server) => server.address), balancer: 'ring_hash' });
  try {
    for (const key of ['alice', 'bob', 'carol']) {
      const instances = new Set<string>();
      for (let i = 0; i < 20; i++) instances.add((await client.echo({ text: key }, { hashKey: key })).instance);
      assert.equal(instances.size, 1, `${key} went to ${[...instances].join(', ')}`);
    }
  } finally {
    await closeClient(client);
  }
});

// Issue 12: the hardening rules on the lean client transport ([client]
// transport = "http2"), through the full client pipeline against bare grpc-js
// servers: a server closing with GOAWAY mid-load loses no call (the refused
// ones are never-sent and retried, whatever the method), and a connection cut
// mid-load loses no idempotent call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/create-client.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { waitUntil } from '../../helpers/wait.js';
import { startBareServer, type BareServer } from './bare-grpc-server.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const CALLS = 240;
const CONCURRENCY = 24;
const CLIENT_CONFIG = {
  client: {
    transport: 'http2',
    timeout: '5s',
    retry: { max_attempts: 4, initial_delay: '5ms', max_delay: '20ms', budget: 1 },
    circuit_breaker: { threshold: 1000 },
  },
  methods: { Echo: { idempotent: true } },
};

let steady: BareServer;
before(async () => {
  steady = await startBareServer('steady');
});
after(() => steady.close());

/** Runs CALLS calls, CONCURRENCY at a time, calling `midway` once half have completed; every outcome. */
async function load(call: (i: number) => Promise<unknown>, midway: () => void): Promise<PromiseSettledResult<unknown>[]> {
  const results: PromiseSettledResult<unknown>[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < CALLS) {
      const i = next++;
      results[i] = await call(i).then((value) => ({ status: 'fulfilled', value }) as const, (reason: unknown) => ({ status: 'rejected', reason }) as const);
      if (results.filter(Boolean).length === CALLS / 2) midway();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

test('a server closing with GOAWAY mid-load: no call lost, not even non-idempotent ones; the lean transport made them', async () => {
  const closing = await startBareServer('closing');
  const client = createClient<EchoServiceClient>(echoDescriptor(CLIENT_CONFIG), { endpoints: [closing.address, steady.address] });
  let shutdown: Promise<void> | undefined;
  try {
    const results = await load((i) => client.create({ text: `c${i}`, delayMs: 3 }), () => (shutdown = closing.close()));
    const failures = results.filter((result) => result.status === 'rejected');
    assert.deepEqual(failures, [], `${failures.length} calls failed`);
    assert.ok(closing.served > 0 && steady.served > 0, 'both servers took calls');
    assert.ok(closing.userAgents.size > 0);
    assert.deepEqual([...closing.userAgents].filter((agent) => !agent.startsWith('tusk-grpc-http2')), []);
    assert.ok(shutdown !== undefined);
    await shutdown;
  } finally {
    await closeClient(client);
    await closing.close();
  }
});

test('a connection cut mid-load: every idempotent call is retried and succeeds', async () => {
  const victim = await startBareServer('victim');
  let proxy: TcpProxy | undefined;
  proxy = await startTcpProxy(victim.address);
  const client = createClient<EchoServiceClient>(echoDescriptor(CLIENT_CONFIG), { endpoints: [proxy.address, steady.address] });
  try {
    await waitUntil(() => client.echo({ text: 'warm' }), 3_000, 'a first call through the proxy');
    const results = await load((i) => client.echo({ text: `e${i}`, delayMs: 3 }), () => proxy!.cut());
    const failures = results.filter((result) => result.status === 'rejected');
    assert.deepEqual(failures, [], `${failures.length} calls failed`);
  } finally {
    await closeClient(client);
    await proxy.close();
    await victim.close();
  }
});

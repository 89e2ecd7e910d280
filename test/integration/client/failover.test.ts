import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import { CircuitOpenError } from '../../../src/resilience/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { runLoad, spawnEchoChild, waitFor, type EchoChild } from './echo-children.js';

const children: EchoChild[] = [];
after(async () => {
  await Promise.all(children.map((child) => child.kill()));
});

async function threeInstances(): Promise<EchoChild[]> {
  const started = await Promise.all([spawnEchoChild(), spawnEchoChild(), spawnEchoChild()]);
  children.push(...started);
  return started;
}

const LOAD_MS = 3_000;

test('kill -9 of one of three instances under 32 concurrent callers of an idempotent method: zero failed calls', async () => {
  const instances = await threeInstances();
  const client = createClient<EchoServiceClient>(echoDescriptor(), {
    endpoints: instances.map((instance) => instance.address),
    balancer: 'round_robin',
    timeout: 5_000,
    methods: { Echo: { idempotent: true } },
  });
  try {
    const servedBy = new Map<string, number>();
    let killedAt = 0;
    const started = Date.now();
    const load = runLoad(32, 5_000, async (worker, index) => {
      const reply = await client.echo({ text: `${worker}-${index}`, delayMs: 2 });
      servedBy.set(reply.instance, (servedBy.get(reply.instance) ?? 0) + 1);
    }, () => Date.now() - started > LOAD_MS);
    await waitFor(() => (servedBy.get(instances[0]!.address) ?? 0) > 50, 20_000, 'traffic on the first instance');
    await instances[0]!.kill('SIGKILL');
    killedAt = Date.now();
    const { ok, failures } = await load;
    assert.deepEqual(failures, []);
    assert.ok(ok > 100, `only ${ok} calls made`);
    assert.ok(killedAt < started + LOAD_MS, 'the kill happened while the load ran');
  } finally {
    await closeClient(client);
  }
});

test('a non-idempotent method under the same fault is never executed twice', async () => {
  const instances = await threeInstances();
  const client = createClient<EchoServiceClient>(echoDescriptor(), {
    endpoints: instances.map((instance) => instance.address),
    balancer: 'round_robin',
    timeout: 5_000,
  });
  try {
    const started = Date.now();
    const load = runLoad(32, 5_000, (worker, index) => client.create({ text: `${worker}-${index}`, delayMs: 2 }), () => Date.now() - started > LOAD_MS);
    await waitFor(() => instances[0]!.creates.length > 50, 20_000, 'traffic on the first instance');
    await instances[0]!.kill('SIGKILL');
    const { ok, failures } = await load;
    const executions = instances.flatMap((instance) => instance.creates);
    assert.equal(new Set(executions).size, executions.length, 'some Create ran twice');
    assert.ok(ok > 100);
    // Calls in flight on the killed instance may fail (they may have run); none may be retried elsewhere.
    for (const failure of failures) assert.ok(failure instanceof TuskError && failure.code === Code.UNAVAILABLE, String(failure));
  } finally {
    await closeClient(client);
  }
});

test('all instances down: fail fast once breakers open; back within half_open_after plus one probe', async () => {
  const instances = await threeInstances();
  const halfOpenAfterMs = 1_000;
  const client = createClient<EchoServiceClient>(echoDescriptor(), {
    endpoints: instances.map((instance) => instance.address),
    timeout: 2_000,
    circuitBreaker: { strategy: 'consecutive', threshold: 3, halfOpenAfterMs },
    methods: { Echo: { idempotent: true } },
  });
  try {
    for (let i = 0; i < 10; i++) await client.echo({ text: 'warm' });
    await Promise.all(instances.map((instance) => instance.kill('SIGKILL')));
    // Failing calls trip every endpoint's breaker.
    let sawCircuitOpen = false;
    for (let i = 0; i < 200 && !sawCircuitOpen; i++) {
      await client.echo({ text: 'down' }).catch((error: unknown) => {
        assert.ok(error instanceof TuskError && error.code === Code.UNAVAILABLE, String(error));
        sawCircuitOpen = error instanceof CircuitOpenError;
      });
    }
    assert.ok(sawCircuitOpen, 'breakers never opened');
    const durations: number[] = [];
    for (let i = 0; i < 50; i++) {
      const begin = performance.now();
      const error = await client.echo({ text: 'fast-fail' }).then(() => undefined, (failure: unknown) => failure);
      durations.push(performance.now() - begin);
      assert.ok(error instanceof CircuitOpenError, String(error));
      assert.match((error as Error).message, /circuit open/);
    }
    durations.sort((a, b) => a - b);
    assert.ok(durations[Math.floor(durations.length * 0.9)]! < 5, `p90 ${durations[45]} ms`);

    // The instances come back on the same ports.
    const back = await Promise.all(instances.map((instance) => spawnEchoChild({ port: instance.port })));
    children.push(...back);
    const returnedAt = Date.now();
    let recoveredAt = 0;
    while (recoveredAt === 0 && Date.now() - returnedAt < 10_000) {
      try {
        await client.echo({ text: 'back?' });
        recoveredAt = Date.now();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    assert.ok(recoveredAt > 0, 'never recovered');
    const probeAllowanceMs = 1_000;
    assert.ok(recoveredAt - returnedAt <= halfOpenAfterMs + probeAllowanceMs, `recovered after ${recoveredAt - returnedAt} ms`);
  } finally {
    await closeClient(client);
  }
});

// test: runs alone (its bounds rest on the machine's capacity; see test/helpers/run-alone.ts)
// Issue 9: a rolling restart of 3 instances (SIGTERM one, start a replacement, three times) under 64-way load of a
// non-idempotent method, over real etcd. Every instance is a real TuskServer child process registered by the
// runtime itself; each prints the request id of every Create it executes. Not one call may fail, and every
// request id must have run exactly once across all instances: the drain delay keeps a stopping instance serving
// until the client has seen it leave, and the streams it still refuses are retried because they provably never ran.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientEndpoints, closeClient, createClient } from '../../src/client/index.js';
import { echoDescriptor, type EchoServiceClient } from '../helpers/echo-service.js';
import { startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { waitUntil } from '../helpers/wait.js';
import { spawnEtcdEchoChild, type EtcdEchoChild } from '../integration/client/etcd-echo-children.js';

const WORKERS = 64;
const RESTARTS = 3;
const LOAD_LIMIT_MS = 30_000;
const MAX_CALLS = 200_000;
const PREFIX = 'rolling-exactly-once';

let etcd: EtcdServer;
const everyChild: EtcdEchoChild[] = [];
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await Promise.all(everyChild.map((child) => child.kill()));
  await etcd?.destroy();
});

test(`rolling restart of ${RESTARTS} instances under ${WORKERS}-way non-idempotent load: 0 failed calls, each request ran exactly once`, { timeout: 120_000 }, async (t) => {
  const spawn = async () => {
    const child = await spawnEtcdEchoChild({ etcdEndpoint: etcd.endpoint, prefix: PREFIX, ttl: '10s' });
    everyChild.push(child);
    return child;
  };
  const live = await Promise.all([spawn(), spawn(), spawn()]);
  const client = createClient<EchoServiceClient>(echoDescriptor(), {
    discovery: { provider: 'etcd', endpoints: [etcd.endpoint], prefix: PREFIX },
    balancer: 'round_robin',
    timeout: 10_000,
  });
  const knows = (address: string) => clientEndpoints(client).some((endpoint) => endpoint.address === address);
  const sent: string[] = [];
  const succeeded = new Set<string>();
  const failures: string[] = [];
  let stopping = false;
  const loadDeadline = Date.now() + LOAD_LIMIT_MS;
  try {
    await waitUntil(() => live.every((child) => knows(child.address)), 10_000, 'the client to discover the three instances');
    const load = Promise.all(
      Array.from({ length: WORKERS }, async (_, worker) => {
        for (let index = 0; !stopping && sent.length < MAX_CALLS && Date.now() < loadDeadline; index++) {
          const id = `w${worker}-${index}`;
          sent.push(id);
          try {
            const response = await client.create({ text: id, delayMs: 5 });
            assert.equal(response.text, id);
            succeeded.add(id);
          } catch (error) {
            failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }),
    );
    try {
      await waitUntil(() => succeeded.size >= 500, 20_000, 'the load to get going');
      for (let restart = 0; restart < RESTARTS; restart++) {
        const old = live.shift()!;
        await old.kill('SIGTERM'); // resolves once it drained and exited
        const replacement = await spawn();
        live.push(replacement);
        await waitUntil(() => replacement.creates.length >= 50, 20_000, `replacement ${restart + 1} to take calls`);
      }
    } finally {
      stopping = true;
      await load;
    }
  } finally {
    await closeClient(client);
    await Promise.all(live.map((child) => child.kill('SIGTERM')));
  }

  const executions = new Map<string, number>();
  for (const child of everyChild) for (const id of child.creates) executions.set(id, (executions.get(id) ?? 0) + 1);
  t.diagnostic(`${sent.length} calls, ${succeeded.size} ok; Creates per instance: ${everyChild.map((child) => child.creates.length).join(', ')}`);
  assert.ok(Date.now() < loadDeadline, 'the restarts finished within the load time limit');
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${sent.length} calls failed`);
  assert.equal(succeeded.size, sent.length);
  const notOnce = sent.filter((id) => executions.get(id) !== 1);
  assert.deepEqual(notOnce.slice(0, 5).map((id) => `${id} ran ${executions.get(id) ?? 0} times`), [], `${notOnce.length} requests did not run exactly once`);
  assert.equal(executions.size, sent.length, 'no execution of an id that was never sent');
});

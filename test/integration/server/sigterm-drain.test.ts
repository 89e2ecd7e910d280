import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import * as grpc from '@grpc/grpc-js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { spawnServerProcess, type ServerProcess } from '../../helpers/server-process.js';
import { rawEchoClient, unary } from '../../helpers/server-raw-client.js';
import { TRANSPORTS } from '../../helpers/transports.js';

const CALLS = 50;
let etcd: EtcdServer;
let reader: Etcd3;
let processes: ServerProcess[] = [];
before(async () => {
  etcd = await startEtcd();
  reader = new Etcd3({ hosts: `http://${etcd.endpoint}` });
});
after(async () => {
  for (const server of processes) server.kill();
  reader.close();
  await etcd.destroy();
});

for (const transport of TRANSPORTS) {
  test(`[${transport}] SIGTERM during ${CALLS} in-flight slow calls: all complete, the key is gone before the process exits, exit code 0`, async () => {
    const server = await spawnServerProcess({
      ...process.env,
      TUSK_DISCOVERY: 'etcd',
      TUSK_ETCD_ENDPOINTS: etcd.endpoint,
      TUSK_ADVERTISE_HOST: '127.0.0.1',
      TUSK_LOG_LEVEL: 'info',
      TEST_DISCOVERY_PREFIX: `sigterm-test-${transport}`,
      TEST_SERVER_TRANSPORT: transport,
    });
    processes.push(server);
    const address = `127.0.0.1:${server.port}`;
    const key = `sigterm-test-${transport}/test.v1.EchoService/${address}`;
    const stored = JSON.parse((await reader.get(key).string())!);
    assert.equal(stored.Addr, address);
    assert.equal(stored.Metadata.version, '9.9.9');

    const client = rawEchoClient(address);
    try {
      const calls = Array.from({ length: CALLS }, (_, index) =>
        unary(client, 'echo', { text: `call-${index}`, delayMs: 2_000 }, { deadline: Date.now() + 60_000 }),
      );
      const outcomes = Promise.allSettled(calls);
      await server.waitForLine((line) => line.event === 'call_started' && line.in_flight === CALLS, `all ${CALLS} calls in flight`);

      server.child.kill('SIGTERM');
      // While the process is still alive (its calls are still running), the key disappears.
      const deadline = Date.now() + 20_000;
      let keyGoneWhileAlive = false;
      while (Date.now() < deadline) {
        const present = (await reader.get(key).string()) !== null;
        const alive = server.child.exitCode === null && server.child.signalCode === null;
        if (!present) {
          keyGoneWhileAlive = alive;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(keyGoneWhileAlive, 'the key was removed before the process exited');

      const results = await outcomes;
      const failed = results.filter((result) => result.status === 'rejected');
      assert.deepEqual(
        failed.map((result) => String((result as PromiseRejectedResult).reason)),
        [],
        'every in-flight call completed',
      );
      for (const [index, result] of results.entries()) {
        assert.equal((result as PromiseFulfilledResult<{ response: { text: string } }>).value.response.text, `call-${index}`);
      }
      assert.equal(await server.exited, 0, `exit code 0; stderr:\n${server.stderr()}`);
      assert.ok(server.lines.some((line) => line.msg === 'stopped' && line.drained === true), 'drained, not forced');
      assert.equal(await reader.get(key).string(), null);
    } finally {
      client.close();
      server.kill();
    }
  });

  test(`[${transport}] shutdown_grace bounds a stuck call: its ctx.signal aborts, the caller gets UNAVAILABLE, the process still exits 0`, async () => {
    const server = await spawnServerProcess({
      ...process.env,
      TUSK_DISCOVERY: 'etcd',
      TUSK_ETCD_ENDPOINTS: etcd.endpoint,
      TUSK_ADVERTISE_HOST: '127.0.0.1',
      TEST_DISCOVERY_PREFIX: `grace-test-${transport}`,
      TEST_SERVER_TRANSPORT: transport,
      TEST_SHUTDOWN_GRACE: '500ms',
    });
    processes.push(server);
    const client = rawEchoClient(`127.0.0.1:${server.port}`);
    try {
      // This handler only ends when its signal aborts: the grace period must cut it.
      const stuck = unary(client, 'echo', { text: 'wait-abort' }, { deadline: Date.now() + 60_000 });
      await server.waitForLine((line) => line.event === 'call_started', 'the stuck call');
      server.child.kill('SIGTERM');
      await assert.rejects(stuck, (error: grpc.ServiceError) => error.code === grpc.status.UNAVAILABLE && error.details === 'server shutting down');
      assert.equal(await server.exited, 0);
      assert.ok(server.lines.some((line) => line.msg === 'stopped' && line.drained === false));
    } finally {
      client.close();
      server.kill();
    }
  });
}

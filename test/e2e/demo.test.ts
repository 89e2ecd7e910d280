// `npm run demo` as a reader runs it: a child process on the local registry,
// which must finish with exit 0 and leave no process or folder behind; and
// `--serve`, which must keep serving until Ctrl-C (SIGINT to its process group).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { closeClient } from 'tusk-grpc';
import { createOrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import { REPO_ROOT } from '../../examples/shared/service-process.js';
import { waitUntil } from '../helpers/wait.js';

const DEMO_TIME_LIMIT_MS = 300_000;
const running = new Set<ChildProcess>();

/** The demo in its own process group, so a timeout (or Ctrl-C) reaches npm, node and the services alike. */
function runDemo(command: string, args: readonly string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const env = { ...process.env };
  for (const name of ['TUSK_DISCOVERY', 'TUSK_ETCD_ENDPOINTS', 'TUSK_REGISTRY_DIR']) delete env[name];
  const child = spawn(command, args, { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), DEMO_TIME_LIMIT_MS);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    running.delete(child);
    resolve(code);
  }));
  return { child, output: () => output, exit };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The service pids and the temp folder the demo printed, to check it cleaned up. */
function leftovers(output: string): { pids: number[]; folder: string | undefined } {
  const pids = [...output.matchAll(/ pid (\d+) /g)].map((match) => Number(match[1]));
  const folder = /local registry folder (\S+)\/registry/.exec(output)?.[1];
  return { pids, folder };
}

describe('npm run demo', () => {
  after(() => {
    for (const child of running) process.kill(-child.pid!, 'SIGKILL');
  });

  it('runs the whole story on the local registry and exits 0, leaving nothing behind', { timeout: DEMO_TIME_LIMIT_MS + 10_000 }, async () => {
    const demo = runDemo('npm', ['run', 'demo']);
    const code = await demo.exit;
    const output = demo.output();
    assert.equal(code, 0, output);
    for (const expected of ['discovery: local registry folder', 'INVALID_ARGUMENT', 'same trace', 'PLACED → PAID → SHIPPED → DELIVERED', 'all 6 orders placed', 'demo finished']) {
      assert.ok(output.includes(expected), `the output shows "${expected}":\n${output}`);
    }
    const { pids, folder } = leftovers(output);
    assert.equal(pids.length, 3, output);
    assert.deepEqual(pids.filter(isAlive), [], 'no service process outlives the demo');
    assert.ok(folder && !existsSync(folder), `the demo removed ${folder}`);
  });

  it('--serve keeps the services up for other clients until Ctrl-C, then exits 0', { timeout: 180_000 }, async () => {
    // Straight to node: the previous test already built and generated.
    const demo = runDemo(process.execPath, ['--conditions=tusk-source', '--import', 'tsx', 'examples/demo/run-demo.ts', '--serve']);
    // The serving banner and the grpcurl lines after it arrive in separate writes: wait for the line we read.
    const createOrderLine = /-plaintext -d '\{"user_id"[^']*' (\S+) order\.v1\.OrderService\/CreateOrder/;
    await waitUntil(() => createOrderLine.test(demo.output()) || demo.child.exitCode !== null, 120_000, 'the demo to serve and print its grpcurl lines');
    const output = demo.output();
    const orderAddress = createOrderLine.exec(output)?.[1];
    const userId = /"user_id":"(u_[0-9a-z]+)"/.exec(output)?.[1];
    assert.ok(orderAddress && userId, output);

    // Another client, as grpcurl would be: the printed address and ids work.
    const orders = createOrderServiceClient({ endpoints: [orderAddress] });
    try {
      const { order } = await orders.createOrder({ userId, items: [{ sku: 'mug', quantity: 2, unitPriceCents: 850n }] });
      assert.equal(order?.totalCents, 1_700n);
    } finally {
      await closeClient(orders);
    }

    process.kill(-demo.child.pid!, 'SIGINT');
    assert.equal(await demo.exit, 0, demo.output());
    const { pids, folder } = leftovers(demo.output());
    assert.deepEqual(pids.filter(isAlive), []);
    assert.ok(folder && !existsSync(folder));
  });
});

// `npm run demo` as a reader runs it: a child process on the local registry
// and local events, which must finish with exit 0 and leave no process or
// folder behind; and `--serve` with TUSK_EVENTS=nats (a private nats-server),
// which must keep serving until Ctrl-C (SIGINT to its process group).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { closeClient } from 'tusk-grpc';
import { createNotificationServiceClient } from '../../gen/notification/v1/notification.tusk.js';
import { createOrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import { REPO_ROOT } from '../../examples/shared/service-process.js';
import { waitUntil } from '../helpers/wait.js';

const DEMO_TIME_LIMIT_MS = 300_000;
const running = new Set<ChildProcess>();

/** The demo in its own process group, so a timeout (or Ctrl-C) reaches npm, node and the services alike. */
function runDemo(command: string, args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['TUSK_DISCOVERY', 'TUSK_ETCD_ENDPOINTS', 'TUSK_REGISTRY_DIR', 'TUSK_EVENTS', 'TUSK_NATS_SERVERS', 'TUSK_EVENTS_DIR']) delete env[name];
  Object.assign(env, extraEnv);
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

/** The service pids and the temp folder the demo printed, to check it cleaned up; `announced` is how many it said it starts. */
function leftovers(output: string): { pids: number[]; announced: number; folder: string | undefined } {
  const pids = [...output.matchAll(/ pid (\d+) /g)].map((match) => Number(match[1]));
  const announced = Number(/Starting (\d+) service instances/.exec(output)?.[1]);
  const folder = /local registry folder (\S+)\/registry/.exec(output)?.[1];
  return { pids, announced, folder };
}

/** Whether something listens on the loopback port (ECONNREFUSED once a server is gone). */
function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
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
    for (const expected of ['discovery: local registry folder', 'events:    local events folder', 'INVALID_ARGUMENT', 'same trace', 'PLACED → PAID → SHIPPED → DELIVERED', 'all 6 orders placed', 'demo finished']) {
      assert.ok(output.includes(expected), `the output shows "${expected}":\n${output}`);
    }
    // The welcome of each created user, recorded by one notification instance in the CreateUser call's trace.
    assert.equal([...output.matchAll(/recorded by notification-[12] \(attempt 1\): "Welcome, /g)].length, 3, output);
    const trace = /logged CreateUser\(u_[0-9a-z]+\) under trace_id ([0-9a-f]{32})\n\s+notification-[12] recorded the welcome under trace_id ([0-9a-f]{32}): same trace/.exec(output);
    assert.ok(trace && trace[1] === trace[2], output);
    // The instance killed mid-event never recorded it; the other one did, once, on a later attempt.
    const redelivery = /(notification-[12]) took UserCreated\(u_[0-9a-z]+\) for Edsger Dijkstra and was killed[^\n]*\n\s+ack_wait \S+ passed unacknowledged: (notification-[12]) got it on attempt ([2-9]) and recorded it once/.exec(output);
    assert.ok(redelivery && redelivery[1] !== redelivery[2], output);
    // The order saga: one order completes (paid), one is declined and compensated, and its cancellation notified under the saga's id.
    assert.match(output, /A saga that completes[^\n]*\n\s+order o_\d+ for [^:]+: ORDER_STATUS_PLACED, payment p_\d+/, output);
    const compensated = /order (o_\d+): ORDER_STATUS_CANCELLED \(compensated: refund, then cancel; saga ([0-9a-f-]{36})\)\n\s+notification-[12] told [^:]+: "Your order (o_\d+) was cancelled/.exec(output);
    assert.ok(compensated && compensated[1] === compensated[3], output);
    // The HTTP gateway scene: each call as curl, REST with int64 as strings, the status stream as Server-Sent Events.
    const gateway = /\$ curl -s -X POST (http:\/\/127\.0\.0\.1:\d+)\/v1\/users -H 'content-type: application\/json' -d '\{"name":"Barbara Liskov"[^\n]*\n\s+→ user (u_[0-9a-z]+) "Barbara Liskov", served by user-[12]\n\s+\$ curl -s -X POST \1\/v1\/orders [^\n]*"userId":"\2"[^\n]*\n\s+→ order (o_\d+): ORDER_STATUS_PLACED, total_cents "19999"[^\n]*\n\s+\$ curl -s \1\/v1\/orders\/\3\/status:watch -H 'accept: text\/event-stream'\n\s+→ \d+ server-sent events: [A-Z →]*DELIVERED\n/.exec(output);
    assert.ok(gateway, output);
    const { pids, announced, folder } = leftovers(output);
    // 2 user, 1 order and 2 notification instances, and any a scene adds.
    assert.ok(announced >= 5 && pids.length === announced, output);
    assert.deepEqual(pids.filter(isAlive), [], 'no service process outlives the demo');
    assert.ok(folder && !existsSync(folder), `the demo removed ${folder}`);
  });

  it('--serve on TUSK_EVENTS=nats (a private nats-server) keeps the services up for other clients until Ctrl-C, then exits 0', { timeout: 180_000 }, async () => {
    // Straight to node: the previous test already built and generated.
    const demo = runDemo(process.execPath, ['--conditions=tusk-source', '--import', 'tsx', 'examples/demo/run-demo.ts', '--serve'], { TUSK_EVENTS: 'nats' });
    // The serving banner and the grpcurl lines after it arrive in separate writes: wait for the last lines we read.
    const listNotificationsLine = /-plaintext -d '\{\}' (\S+) notification\.v1\.NotificationService\/ListNotifications/g;
    const notificationAddresses = () => [...demo.output().matchAll(listNotificationsLine)].map((match) => match[1]!);
    await waitUntil(() => notificationAddresses().length === 2 || demo.child.exitCode !== null, 120_000, 'the demo to serve and print its grpcurl lines');
    const output = demo.output();
    const natsPort = Number(/events: {4}a private NATS JetStream \(\S+\) at 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const orderAddress = /-plaintext -d '\{"user_id"[^']*' (\S+) order\.v1\.OrderService\/CreateOrder/.exec(output)?.[1];
    const userId = /"user_id":"(u_[0-9a-z]+)"/.exec(output)?.[1];
    assert.ok(natsPort > 0 && orderAddress && userId, output);

    // Other clients, as grpcurl would be: the printed addresses and ids work.
    const orders = createOrderServiceClient({ endpoints: [orderAddress] });
    const notifications = notificationAddresses().map((address) => createNotificationServiceClient({ endpoints: [address] }));
    try {
      const { order } = await orders.createOrder({ userId, items: [{ sku: 'mug', quantity: 2, unitPriceCents: 850n }] });
      assert.equal(order?.totalCents, 1_700n);
      // The 3 users created for serving each got one welcome through NATS, recorded by one of the two instances.
      const welcomes = async () => (await Promise.all(notifications.map((client) => client.listNotifications({ userId: '' })))).flatMap((list) => list.notifications);
      const recorded = await waitUntil(async () => {
        const all = await welcomes();
        return all.length >= 3 ? all : undefined;
      }, 10_000, 'the 3 welcome notifications');
      assert.equal(recorded.length, 3);
      assert.ok(recorded.some((notification) => notification.userId === userId && notification.source === 'user.v1.UserService'), JSON.stringify(recorded));
    } finally {
      await Promise.all([orders, ...notifications].map((client) => closeClient(client)));
    }

    process.kill(-demo.child.pid!, 'SIGINT');
    assert.equal(await demo.exit, 0, demo.output());
    const { pids, announced, folder } = leftovers(demo.output());
    assert.ok(announced >= 5 && pids.length === announced, demo.output());
    assert.deepEqual(pids.filter(isAlive), []);
    assert.ok(folder && !existsSync(folder));
    assert.equal(await acceptsConnections(natsPort), false, 'the private nats-server stopped with the demo');
  });
});

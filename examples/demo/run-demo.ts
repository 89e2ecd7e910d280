// `npm run demo`: two user instances and one order instance, each its own
// process, find each other through a registry; the demo's clients place
// orders, watch the load spread, kill an instance and carry on. No etcd or
// other setup needed (TUSK_DISCOVERY=etcd uses etcd instead).
//   --serve   start the services, add sample data and keep them running for
//             grpcurl or any reflection client, until Ctrl-C.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeClient } from 'tusk-grpc';
import { createOrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import { createUserServiceClient } from '../../gen/user/v1/user.tusk.js';
import { killAllServiceProcesses, startServiceProcess, type ServiceProcess } from '../shared/service-process.js';
import { setUpDiscovery, type DemoDiscovery } from './discovery-setup.js';
import { heading, line } from './print.js';
import { SAMPLE_BASKETS } from './sample-data.js';
import { createUsers, runScenario, type DemoServices } from './scenario.js';

const SCENARIO_TIMEOUT_MS = 180_000;
const CLEANUP_TIMEOUT_MS = 30_000;
const serve = process.argv.includes('--serve');

const workDir = await mkdtemp(join(tmpdir(), 'tusk-demo-'));
const started: ServiceProcess[] = [];
const clients: object[] = [];
let discovery: DemoDiscovery | undefined;

async function startServices(): Promise<DemoServices> {
  discovery = await setUpDiscovery(join(workDir, 'registry'));
  // The demo's own clients find the services exactly as the services find each other.
  Object.assign(process.env, discovery.env);
  const env = { ...discovery.env, USER_DATA_DIR: join(workDir, 'users'), ORDER_STATUS_STEP_MS: '300' };

  heading('Starting 2 user instances and 1 order instance, each its own process');
  line(`discovery: ${discovery.description}`);
  const starting = ['user-1', 'user-2'].map((name) => startServiceProcess({ service: 'user', name, env }));
  for (const instance of await Promise.all(starting)) started.push(instance);
  const order = await startServiceProcess({ service: 'order', name: 'order-1', env });
  started.push(order);
  for (const instance of started) line(`${instance.name.padEnd(8)} pid ${String(instance.pid).padEnd(7)} serving on ${instance.address}`);

  const users = createUserServiceClient();
  const orders = createOrderServiceClient();
  clients.push(users, orders);
  return { userInstances: started.slice(0, 2), order, users, orders };
}

async function serveUntilInterrupted(services: DemoServices): Promise<void> {
  const customers = await createUsers(services);
  const { order } = await services.orders.createOrder({ userId: customers[0]!.id, items: SAMPLE_BASKETS[0]!.items });
  heading('Serving until Ctrl-C; reflection is on, so grpcurl needs no proto files');
  const [user1] = services.userInstances;
  line(`grpcurl -plaintext ${user1!.address} list`);
  line(`grpcurl -plaintext -d '{"id":"${customers[0]!.id}"}' ${user1!.address} user.v1.UserService/GetUser`);
  line(`grpcurl -plaintext -d '{"limit":10}' ${user1!.address} user.v1.UserService/ListUsers`);
  line(`grpcurl -plaintext -d '{"user_id":"${customers[1]!.id}","items":[{"sku":"mug","quantity":2,"unit_price_cents":850}]}' ${services.order.address} order.v1.OrderService/CreateOrder`);
  line(`grpcurl -plaintext -d '{"id":"${order!.id}"}' ${services.order.address} order.v1.OrderService/WatchOrderStatus`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    // A service that dies on its own ends the session too.
    for (const instance of started) void instance.exited.then(resolve);
  });
}

async function cleanUp(): Promise<void> {
  heading('Stopping everything');
  await Promise.allSettled(clients.map((client) => closeClient(client)));
  await Promise.allSettled(started.map((instance) => instance.stop(10_000)));
  await discovery?.stop();
  await rm(workDir, { recursive: true, force: true });
  line('services stopped, registry and data removed');
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

let exitCode = 0;
try {
  console.log(`tusk-grpc demo${serve ? ' (--serve)' : ''}: a user service on two instances and an order service`);
  const interrupted = new Promise<never>((_, reject) => process.once('SIGINT', () => reject(new Error('interrupted'))));
  const services = await withTimeout(Promise.race([startServices(), interrupted]), 120_000, 'starting the services');
  if (serve) await serveUntilInterrupted(services);
  else await withTimeout(Promise.race([runScenario(services), interrupted]), SCENARIO_TIMEOUT_MS, 'the demo');
} catch (error) {
  exitCode = 1;
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  for (const instance of started) console.error(`--- last output of ${instance.name} ---\n${instance.logTail()}`);
}
try {
  await withTimeout(cleanUp(), CLEANUP_TIMEOUT_MS, 'stopping');
} catch (error) {
  exitCode = 1;
  console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  killAllServiceProcesses();
}
if (exitCode === 0) console.log('\ndemo finished');
process.exit(exitCode);

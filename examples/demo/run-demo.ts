// `npm run demo`: two user instances, one order instance and two notification
// instances, each its own process, find each other through a registry and
// exchange events; the demo's clients place orders, watch the load spread and
// the events flow, kill instances and carry on. No setup needed: a local
// registry and local events folder (TUSK_DISCOVERY=etcd and TUSK_EVENTS=nats
// use etcd and NATS JetStream instead).
//   --serve   start the services, add sample data and keep them running for
//             grpcurl or any reflection client, until Ctrl-C.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeClient } from 'tusk-grpc';
import { createNotificationServiceClient, type NotificationServiceClient } from '../../gen/notification/v1/notification.tusk.js';
import { createOrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import { createUserServiceClient } from '../../gen/user/v1/user.tusk.js';
import { killAllServiceProcesses, startServiceProcess, type ServiceProcess, type StartServiceOptions } from '../shared/service-process.js';
import type { DemoBacking } from './backing.js';
import { setUpDiscovery } from './discovery-setup.js';
import { setUpEvents } from './events-setup.js';
import { heading, line } from './print.js';
import { SAMPLE_BASKETS } from './sample-data.js';
import { runScenario } from './scenario.js';
import { loadScenes, type DemoScene, type DemoServices } from './scene.js';
import { createUsers } from './shop.js';

const SCENARIO_TIMEOUT_MS = 180_000;
const CLEANUP_TIMEOUT_MS = 30_000;
/** Notification handlers take this long, so the demo can kill an instance mid-event... */
const NOTIFICATION_DELAY_MS = '1000';
/** ...and the other instance gets the event after this (proto/notification/v1/notification.tsk @env). */
const NOTIFICATION_ACK_WAIT = '1s';
/** Every scene has these; a scene may add its own (DemoScene.processes). */
const STANDARD_INSTANCES: readonly StartServiceOptions[] = [
  { service: 'user', name: 'user-1' }, { service: 'user', name: 'user-2' }, { service: 'order', name: 'order-1' },
  { service: 'notification', name: 'notification-1' }, { service: 'notification', name: 'notification-2' },
];
const serve = process.argv.includes('--serve');

const workDir = await mkdtemp(join(tmpdir(), 'tusk-demo-'));
const started: ServiceProcess[] = [];
const clients: object[] = [];
const backings: DemoBacking[] = [];

async function startServices(scenes: readonly DemoScene[]): Promise<DemoServices> {
  const discovery = await setUpDiscovery(join(workDir, 'registry'));
  backings.push(discovery);
  const events = await setUpEvents(join(workDir, 'events'));
  backings.push(events);
  // The demo's own clients find the services exactly as the services find each other.
  Object.assign(process.env, discovery.env, events.env);
  const sceneEnv: Record<string, string> = Object.assign({}, ...scenes.map((scene) => scene.env ?? {}));
  const env = {
    ...discovery.env, ...events.env,
    USER_DATA_DIR: join(workDir, 'users'), ORDER_STATUS_STEP_MS: '300',
    NOTIFICATION_DELAY_MS, NOTIFICATION_ACK_WAIT,
    ...sceneEnv,
  };

  const instances = [...STANDARD_INSTANCES, ...scenes.flatMap((scene) => scene.processes ?? [])];
  heading(`Starting ${instances.length} service instances, each its own process`);
  line(`discovery: ${discovery.description}`);
  line(`events:    ${events.description}`);
  // All at once: each finds the others through the registry when it first calls them.
  await startAll(instances, env);
  for (const instance of started) line(`${instance.name.padEnd(14)} pid ${String(instance.pid).padEnd(7)} serving on ${instance.address}`);

  const byName = new Map(started.map((instance) => [instance.name, instance]));
  const keepClient = <Client extends object>(client: Client): Client => {
    clients.push(client);
    return client;
  };
  const notificationClients = new Map<ServiceProcess, NotificationServiceClient>();
  return {
    userInstances: ['user-1', 'user-2'].map((name) => byName.get(name)!),
    order: byName.get('order-1')!,
    notificationInstances: ['notification-1', 'notification-2'].map((name) => byName.get(name)!),
    processes: byName,
    env,
    users: keepClient(createUserServiceClient()),
    orders: keepClient(createOrderServiceClient()),
    notificationsAt(instance) {
      let client = notificationClients.get(instance);
      if (!client) notificationClients.set(instance, (client = keepClient(createNotificationServiceClient({ endpoints: [instance.address] }))));
      return client;
    },
    keepClient,
  };
}

async function startAll(options: readonly StartServiceOptions[], env: Readonly<Record<string, string>>): Promise<void> {
  const starting = options.map((option) => startServiceProcess({ ...option, env: { ...env, ...option.env } }));
  // Every one that started is stopped at the end, even when another failed.
  const results = await Promise.allSettled(starting);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
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
  // Each instance lists the welcomes it recorded itself (the group spread the UserCreated events over them).
  for (const instance of services.notificationInstances) line(`grpcurl -plaintext -d '{}' ${instance.address} notification.v1.NotificationService/ListNotifications`);
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
  for (const backing of backings.reverse()) await backing.stop();
  await rm(workDir, { recursive: true, force: true });
  line('services stopped, registry, events and data removed');
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
  console.log(`tusk-grpc demo${serve ? ' (--serve)' : ''}: a user service on two instances, an order service and a notification service fed by events`);
  const interrupted = new Promise<never>((_, reject) => process.once('SIGINT', () => reject(new Error('interrupted'))));
  const scenes = await loadScenes();
  const services = await withTimeout(Promise.race([startServices(scenes), interrupted]), 120_000, 'starting the services');
  if (serve) await serveUntilInterrupted(services);
  else await withTimeout(Promise.race([runScenario(services, scenes), interrupted]), SCENARIO_TIMEOUT_MS, 'the demo');
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

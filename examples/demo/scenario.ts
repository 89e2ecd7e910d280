// The demo's story, step by step. Each step prints what happened and checks
// it, so a broken step makes the demo exit 1 instead of printing nonsense.
import { codeName, isTuskError } from 'tusk-grpc';
import { orderStatusToJSON } from '../../gen/order/v1/order.js';
import type { OrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import type { User } from '../../gen/user/v1/user.js';
import type { UserServiceClient } from '../../gen/user/v1/user.tusk.js';
import { logLinesWith, type ServiceProcess } from '../shared/service-process.js';
import { waitUntil } from '../shared/wait.js';
import { describeError, dollars, expectFailure, heading, line } from './print.js';
import { SAMPLE_BASKETS, SAMPLE_USERS } from './sample-data.js';

export interface DemoServices {
  readonly userInstances: readonly ServiceProcess[];
  readonly order: ServiceProcess;
  readonly users: UserServiceClient;
  readonly orders: OrderServiceClient;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`demo check failed: ${what}`);
}

const count = (names: readonly string[]) => names.reduce((counts, name) => counts.set(name, (counts.get(name) ?? 0) + 1), new Map<string, number>());
const spread = (names: readonly string[]) => [...count(names)].sort().map(([name, calls]) => `${name} ${calls}`).join(', ');

export async function createUsers({ users }: DemoServices): Promise<User[]> {
  heading('Creating users (CreateUser, balanced over the user instances)');
  const created: User[] = [];
  for (const sample of SAMPLE_USERS) {
    const { user, servedBy } = await users.createUser(sample);
    check(user !== undefined, 'CreateUser returns the user');
    created.push(user);
    line(`${user.name.padEnd(13)} ${user.id}  stored by ${servedBy}`);
  }
  const invalid = await expectFailure(() => users.createUser({ name: ' ', email: 'not-an-email' }));
  check(isTuskError(invalid) && codeName(invalid.code) === 'INVALID_ARGUMENT', 'a bad user is INVALID_ARGUMENT');
  line(`bad input → ${describeError(invalid)}`);
  return created;
}

export async function placeOrders({ orders }: DemoServices, customers: readonly User[], rounds: number): Promise<string[]> {
  const servedBy: string[] = [];
  const orderIds: string[] = [];
  for (let index = 0; index < rounds; index++) {
    const customer = customers[index % customers.length]!;
    const basket = SAMPLE_BASKETS[index % SAMPLE_BASKETS.length]!;
    const { order, userServedBy } = await orders.createOrder({ userId: customer.id, items: basket.items });
    check(order?.totalCents === basket.totalCents, `order total ${order?.totalCents} is ${basket.totalCents}`);
    servedBy.push(userServedBy);
    orderIds.push(order.id);
    line(`${order.id.padEnd(5)} ${customer.name.padEnd(13)} ${String(basket.items.length)} item(s) ${dollars(order.totalCents).padStart(9)}   user checked by ${userServedBy}`);
  }
  line(`user checks per instance: ${spread(servedBy)}`);
  return servedBy;
}

export async function showStreams({ users, orders }: DemoServices, customers: readonly User[]): Promise<void> {
  heading('Streaming (server streams and a client stream)');
  const listed: string[] = [];
  for await (const { user } of users.listUsers({ limit: 0 })) listed.push(user?.name ?? '?');
  check(customers.every((customer, index) => listed[index] === customer.name), 'ListUsers streams in creation order');
  line(`ListUsers: ${listed.join(', ')}`);

  async function* newcomers() {
    yield { name: 'Linus Torvalds', email: 'linus@example.com' };
    yield { name: 'Duplicate Ada', email: 'ada@example.com' };
    yield { name: 'Margaret Hamilton', email: 'margaret@example.com' };
  }
  const imported = await users.importUsers(newcomers());
  check(imported.imported === 2 && imported.rejectedEmails[0] === 'ada@example.com', 'ImportUsers keeps 2 and rejects the duplicate');
  line(`ImportUsers: ${imported.imported} imported, rejected ${imported.rejectedEmails.join(', ')}`);

  const first = customers[0]!;
  const theirs: string[] = [];
  for await (const { order } of orders.listOrdersByUser({ userId: first.id })) theirs.push(`${order?.id} (${dollars(order?.totalCents ?? 0n)})`);
  line(`ListOrdersByUser(${first.name}): ${theirs.join(', ')}`);

  const orderId = theirs[0]!.split(' ')[0]!;
  const statuses: string[] = [];
  for await (const change of orders.watchOrderStatus({ id: orderId })) statuses.push(orderStatusToJSON(change.status).replace('ORDER_STATUS_', ''));
  check(statuses.join() === 'PLACED,PAID,SHIPPED,DELIVERED', 'WatchOrderStatus runs PLACED → DELIVERED');
  line(`WatchOrderStatus(${orderId}): ${statuses.join(' → ')}`);
}

export async function showTrace({ orders, userInstances }: DemoServices, customer: User): Promise<void> {
  heading('One trace across services');
  const { order, traceId, userServedBy } = await orders.createOrder({ userId: customer.id, items: SAMPLE_BASKETS[0]!.items });
  check(traceId.length === 32, 'the order service saw a trace id');
  line(`order service: ${order?.id} created under trace_id ${traceId}`);
  const checker = userInstances.find((instance) => instance.name === userServedBy);
  check(checker !== undefined, `the user instance ${userServedBy} is one of ours`);
  // The user service logs every GetUser with the trace id its call context carries.
  await waitUntil(() => logLinesWith(checker, { msg: 'get user', trace_id: traceId }).length > 0, 5_000, `${checker.name} to log trace ${traceId}`);
  line(`${checker.name} logged GetUser(${customer.id}) with trace_id ${traceId}: same trace`);
}

export async function survivePartialOutage(services: DemoServices, customers: readonly User[]): Promise<void> {
  const [victim, survivor] = services.userInstances;
  heading(`Killing ${victim!.name} (SIGKILL: no goodbye, its registration goes stale)`);
  await victim!.kill();
  line(`${victim!.name} is gone; placing orders anyway`);
  const servedBy = await placeOrders(services, customers, 6);
  check(servedBy.every((name) => name === survivor!.name), `every order after the kill was checked by ${survivor!.name}`);
  line(`all 6 orders placed: retries moved the calls that picked ${victim!.name} over to ${survivor!.name}`);
}

export async function showErrors({ users, orders }: DemoServices): Promise<void> {
  heading('Errors map to gRPC status codes');
  const missingUser = await expectFailure(() => users.getUser({ id: 'u_missing' }));
  check(isTuskError(missingUser) && codeName(missingUser.code) === 'NOT_FOUND', 'an unknown user is NOT_FOUND');
  line(`GetUser(u_missing) → ${describeError(missingUser)}`);
  const orphan = await expectFailure(() => orders.createOrder({ userId: 'u_missing', items: SAMPLE_BASKETS[1]!.items }));
  check(isTuskError(orphan) && codeName(orphan.code) === 'FAILED_PRECONDITION', 'an order for an unknown user is FAILED_PRECONDITION');
  line(`CreateOrder(user u_missing) → ${describeError(orphan)}`);
  const missingOrder = await expectFailure(() => orders.getOrder({ id: 'o_999' }));
  check(isTuskError(missingOrder) && codeName(missingOrder.code) === 'NOT_FOUND', 'an unknown order is NOT_FOUND');
  line(`GetOrder(o_999) → ${describeError(missingOrder)}`);
}

/** The whole story: the default `npm run demo`. */
export async function runScenario(services: DemoServices): Promise<void> {
  const customers = await createUsers(services);
  heading('Placing orders (the order service checks each user through its generated UserService client)');
  const servedBy = await placeOrders(services, customers, 6);
  // The balancer decides the spread; with round_robin (order.tsk's [dependencies]) 6 calls always reach both.
  for (let extra = 0; extra < 30 && new Set(servedBy).size < services.userInstances.length; extra++) {
    servedBy.push((await services.orders.createOrder({ userId: customers[0]!.id, items: SAMPLE_BASKETS[0]!.items })).userServedBy);
  }
  if (servedBy.length > 6) line(`placed ${servedBy.length - 6} more orders until both instances had served: ${spread(servedBy)}`);
  const instances = new Set(servedBy);
  check(services.userInstances.every((instance) => instances.has(instance.name)), 'both user instances checked users');
  await showStreams(services, customers);
  await showTrace(services, customers[1]!);
  await showErrors(services);
  await survivePartialOutage(services, customers);
}

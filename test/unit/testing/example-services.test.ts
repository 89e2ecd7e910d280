// The example OrderService and its UserService dependency, unit-tested through
// in-memory transports and the generated client factories: no sockets, no registry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, closeClient, createEventBroker, createInMemoryTransport, isTuskError, resolveDescriptor, useEventBroker, type EventBroker } from 'tusk-grpc';
import { OrderStatus } from '../../../gen/order/v1/order.js';
import { createOrderServiceClient, type OrderServiceClient } from '../../../gen/order/v1/order.tusk.js';
import { createUserServiceClient, type UserServiceClient } from '../../../gen/user/v1/user.tusk.js';
import { OrderService } from '../../../examples/order-service/order-service.js';
import { UserService } from '../../../examples/user-service/user-service.js';
import { UserStore } from '../../../examples/user-service/user-store.js';

let dataDir: string;
let users: UserServiceClient;
let orders: OrderServiceClient;
let broker: EventBroker;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tusk-in-memory-users-'));
  const userService = new UserService(new UserStore(dataDir));
  userService.instanceName = 'users-in-memory';
  // CreateUser publishes UserCreated: without a TuskServer the test gives it a local broker in its own folder.
  broker = await createEventBroker({ ...resolveDescriptor({}, null, 'test', {}).events, dir: join(dataDir, 'events') }, { source: 'test' });
  useEventBroker(userService, broker);
  users = createUserServiceClient({ transport: createInMemoryTransport(userService) });
  // The order service gets its user client the way production code does, only with another transport.
  orders = createOrderServiceClient({ transport: createInMemoryTransport(new OrderService(users, 5)) });
});

after(async () => {
  await closeClient(orders);
  await closeClient(users);
  await broker.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('an order for an existing user is created through the in-memory UserService', async () => {
  const { user } = await users.createUser({ name: 'Ada', email: 'ada@example.com' });
  const { order, userServedBy } = await orders.createOrder({ userId: user!.id, items: [{ sku: 'tea', quantity: 2, unitPriceCents: 350n }] });
  assert.equal(order!.userName, 'Ada');
  assert.equal(order!.totalCents, 700n);
  assert.equal(userServedBy, 'users-in-memory');
  // Server streaming through the generated client, messages through the protobuf codecs.
  const statuses: OrderStatus[] = [];
  for await (const step of orders.watchOrderStatus({ id: order!.id })) statuses.push(step.status);
  assert.deepEqual(statuses.at(-1), OrderStatus.ORDER_STATUS_DELIVERED);
});

test("the UserService's NOT_FOUND becomes the OrderService's FAILED_PRECONDITION, details and all", async () => {
  await assert.rejects(orders.createOrder({ userId: 'u_nobody', items: [{ sku: 'tea', quantity: 1, unitPriceCents: 1n }] }), (error: unknown) => {
    assert.ok(isTuskError(error));
    assert.equal(error.code, Code.FAILED_PRECONDITION);
    assert.deepEqual(error.details, { fieldViolations: [{ field: 'user_id', description: 'names no user' }] });
    return true;
  });
});

test('client streaming through the generated client: ImportUsers', async () => {
  async function* newcomers() {
    yield { name: 'Grace', email: 'grace@example.com' };
    yield { name: '', email: 'nameless@example.com' };
  }
  const result = await users.importUsers(newcomers());
  assert.deepEqual(result, { imported: 1, rejectedEmails: ['nameless@example.com'] });
});

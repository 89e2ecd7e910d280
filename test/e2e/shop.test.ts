// The demo's story as a test: real user and order processes on a real etcd,
// called through the generated clients, with assertions on every result.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, isTuskError } from 'tusk-grpc';
import { OrderStatus } from '../../gen/order/v1/order.js';
import { createOrderServiceClient, type OrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import type { User } from '../../gen/user/v1/user.js';
import { createUserServiceClient, type UserServiceClient } from '../../gen/user/v1/user.tusk.js';
import { SAMPLE_BASKETS, SAMPLE_USERS } from '../../examples/demo/sample-data.js';
import { logLinesWith } from '../../examples/shared/service-process.js';
import { waitUntil } from '../helpers/wait.js';
import { listeningAddresses } from './listen-addresses.js';
import { startShop, withCode, type Shop } from './shop-fixture.js';

describe('example shop end to end (2 user instances, 1 order instance, etcd)', () => {
  let shop: Shop;
  let users: UserServiceClient;
  let orders: OrderServiceClient;
  const customers: User[] = [];

  before(async () => {
    shop = await startShop(['user-a', 'user-b']);
    users = createUserServiceClient();
    orders = createOrderServiceClient();
  });
  after(async () => {
    await Promise.allSettled([closeClient(users), closeClient(orders)]);
    await shop?.close();
  });

  it('every service instance listens on loopback only', async () => {
    for (const instance of shop.processes) {
      assert.deepEqual(await listeningAddresses(instance.port), ['127.0.0.1'], `${instance.name} on port ${instance.port}`);
    }
  });

  it('creates users, and a user created on one instance is found on the other', async () => {
    for (const sample of SAMPLE_USERS) {
      const { user, servedBy } = await users.createUser(sample);
      assert.equal(user?.name, sample.name);
      assert.match(servedBy, /^user-[ab]$/);
      customers.push(user!);
    }
    // Each instance asked directly: both see every user, whichever stored it.
    for (const instance of shop.processes.slice(0, 2)) {
      const direct = createUserServiceClient({ endpoints: [instance.address] });
      try {
        for (const customer of customers) {
          const { user, servedBy } = await direct.getUser({ id: customer.id });
          assert.deepEqual(user, customer);
          assert.equal(servedBy, instance.name);
        }
      } finally {
        await closeClient(direct);
      }
    }
  });

  it('maps invalid users to INVALID_ARGUMENT with field details and unknown ids to NOT_FOUND', async () => {
    await assert.rejects(users.createUser({ name: '', email: 'nope' }), (error: unknown) => {
      assert.ok(isTuskError(error));
      assert.equal(error.codeName, 'INVALID_ARGUMENT');
      assert.deepEqual(error.details?.fieldViolations?.map((violation) => violation.field), ['name', 'email']);
      return true;
    });
    await assert.rejects(users.createUser({ name: 'Another Ada', email: SAMPLE_USERS[0].email }), withCode('ALREADY_EXISTS'));
    await assert.rejects(users.getUser({ id: 'u_0000000000000' }), withCode('NOT_FOUND'));
    await assert.rejects(orders.getOrder({ id: 'o_999' }), withCode('NOT_FOUND'));
  });

  it('streams every user in creation order, honouring the limit; imports a client stream', async () => {
    async function* batch() {
      for (let index = 0; index < 12; index++) yield { name: `Imported ${index}`, email: `imported-${index}@example.com` };
      yield { name: 'Bad', email: 'not-an-email' };
    }
    const imported = await users.importUsers(batch());
    assert.deepEqual(imported, { imported: 12, rejectedEmails: ['not-an-email'] });

    const names: string[] = [];
    for await (const { user } of users.listUsers({ limit: 0 })) names.push(user!.name);
    assert.deepEqual(names, [...SAMPLE_USERS.map((user) => user.name), ...Array.from({ length: 12 }, (_, index) => `Imported ${index}`)]);
    const limited: string[] = [];
    for await (const { user } of users.listUsers({ limit: 2 })) limited.push(user!.name);
    assert.deepEqual(limited, names.slice(0, 2));
  });

  it('places orders with correct totals, checks users on both instances, streams them in order', async () => {
    const placed: string[] = [];
    const checkedBy = new Set<string>();
    for (let index = 0; index < 12; index++) {
      const basket = SAMPLE_BASKETS[index % SAMPLE_BASKETS.length]!;
      const customer = customers[index % 2]!;
      const { order, userServedBy } = await orders.createOrder({ userId: customer.id, items: basket.items });
      assert.equal(order?.totalCents, basket.totalCents);
      assert.equal(order?.userName, customer.name);
      assert.equal(order?.status, OrderStatus.ORDER_STATUS_PLACED);
      checkedBy.add(userServedBy);
      if (customer === customers[0]) placed.push(order!.id);
    }
    // round_robin (order.tsk's [dependencies]) alternates; any balancer reaches both within a bounded number of calls.
    for (let extra = 0; extra < 40 && checkedBy.size < 2; extra++) {
      checkedBy.add((await orders.createOrder({ userId: customers[2]!.id, items: SAMPLE_BASKETS[1]!.items })).userServedBy);
    }
    assert.deepEqual([...checkedBy].sort(), ['user-a', 'user-b'], 'both user instances checked users');

    const listed: string[] = [];
    for await (const { order } of orders.listOrdersByUser({ userId: customers[0]!.id })) listed.push(order!.id);
    assert.deepEqual(listed, placed);

    await assert.rejects(orders.createOrder({ userId: 'u_0000000000000', items: SAMPLE_BASKETS[0]!.items }), withCode('FAILED_PRECONDITION'));
    await assert.rejects(orders.createOrder({ userId: customers[0]!.id, items: [{ sku: 'x', quantity: 0, unitPriceCents: 1n }] }), withCode('INVALID_ARGUMENT'));
  });

  it('feeds an order status PLACED → PAID → SHIPPED → DELIVERED', async () => {
    const { order } = await orders.createOrder({ userId: customers[2]!.id, items: SAMPLE_BASKETS[1]!.items });
    const statuses: OrderStatus[] = [];
    for await (const change of orders.watchOrderStatus({ id: order!.id })) statuses.push(change.status);
    assert.deepEqual(statuses, [OrderStatus.ORDER_STATUS_PLACED, OrderStatus.ORDER_STATUS_PAID, OrderStatus.ORDER_STATUS_SHIPPED, OrderStatus.ORDER_STATUS_DELIVERED]);
    assert.equal((await orders.getOrder({ id: order!.id })).order?.status, OrderStatus.ORDER_STATUS_DELIVERED);
  });

  it('carries one trace id from the order service to the user instance that checked the user', async () => {
    const { traceId, userServedBy } = await orders.createOrder({ userId: customers[1]!.id, items: SAMPLE_BASKETS[2]!.items });
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(traceId, '0'.repeat(32));
    const checker = shop.processes.find((instance) => instance.name === userServedBy)!;
    await waitUntil(() => logLinesWith(checker, { msg: 'get user', trace_id: traceId }).length === 1, 10_000, `${userServedBy} to log GetUser under ${traceId}`);
  });

  it('keeps placing orders after one user instance is killed with SIGKILL', async () => {
    const [victim, survivor] = shop.processes;
    await victim!.kill();
    for (let index = 0; index < 10; index++) {
      const { order, userServedBy } = await orders.createOrder({ userId: customers[index % 3]!.id, items: SAMPLE_BASKETS[0]!.items });
      assert.equal(order?.totalCents, SAMPLE_BASKETS[0]!.totalCents);
      assert.equal(userServedBy, survivor!.name);
    }
  });
});

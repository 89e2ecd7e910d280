// test: runs alone (its bounds rest on the machine's capacity; see test/helpers/run-alone.ts)
// A rolling restart of the user service under load: each user instance in
// turn gets SIGTERM (deregister, drain, exit) and a replacement is started,
// while order clients keep calling CreateOrder. Not one call may fail.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient } from 'tusk-grpc';
import { createOrderServiceClient, type OrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import { createUserServiceClient } from '../../gen/user/v1/user.tusk.js';
import { SAMPLE_BASKETS } from '../../examples/demo/sample-data.js';
import { describeError } from '../../examples/demo/print.js';
import { waitUntil } from '../helpers/wait.js';
import { startShop, type Shop } from './shop-fixture.js';

const WORKERS = 3;
const MAX_CALLS = 20_000;
const LOAD_TIME_LIMIT_MS = 150_000;

describe('rolling restart of the user instances', () => {
  let shop: Shop;
  let orders: OrderServiceClient;
  let userId = '';

  before(async () => {
    shop = await startShop(['user-1', 'user-2']);
    const users = createUserServiceClient();
    try {
      userId = (await users.createUser({ name: 'Rolling Customer', email: 'rolling@example.com' })).user!.id;
    } finally {
      await closeClient(users);
    }
    orders = createOrderServiceClient();
  });
  after(async () => {
    if (orders) await closeClient(orders);
    await shop?.close();
  });

  it('loses no CreateOrder call while every user instance is replaced in turn', { timeout: 240_000 }, async (t) => {
    const servedBy = new Map<string, number>();
    const failures: unknown[] = [];
    let calls = 0;
    let stopping = false;
    const loadDeadline = Date.now() + LOAD_TIME_LIMIT_MS;
    const served = (name: string) => servedBy.get(name) ?? 0;
    const ok = () => [...servedBy.values()].reduce((sum, count) => sum + count, 0);

    const load = Promise.all(Array.from({ length: WORKERS }, async () => {
      while (!stopping && calls < MAX_CALLS && Date.now() < loadDeadline) {
        calls++;
        try {
          const { order, userServedBy } = await orders.createOrder({ userId, items: SAMPLE_BASKETS[0]!.items });
          assert.equal(order?.totalCents, SAMPLE_BASKETS[0]!.totalCents);
          servedBy.set(userServedBy, served(userServedBy) + 1);
        } catch (error) {
          failures.push(error);
        }
      }
    }));

    try {
      await waitUntil(() => ok() >= 30, 60_000, 'the load to get going');
      for (const [index, old] of shop.processes.slice(0, 2).entries()) {
        await old.stop();
        const replacement = await shop.start('user', `user-${index + 3}`);
        // Registered (its ready line follows registration) and found by the order service: it serves checks.
        await waitUntil(() => served(replacement.name) >= 10, 60_000, `${replacement.name} to serve the order service`);
        const before = ok();
        await waitUntil(() => ok() >= before + 30, 60_000, 'more orders after the restart step');
      }
    } finally {
      stopping = true;
      await load;
    }

    t.diagnostic(`${calls} CreateOrder calls; user checks per instance: ${JSON.stringify(Object.fromEntries(servedBy))}`);
    assert.deepEqual(failures.map(describeError).slice(0, 5), [], `${failures.length} of ${calls} CreateOrder calls failed`);
    assert.ok(served('user-3') > 0 && served('user-4') > 0, `replacements served: ${JSON.stringify([...servedBy])}`);
    assert.equal(ok(), calls);
  });
});

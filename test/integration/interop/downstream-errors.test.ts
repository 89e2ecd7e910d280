// Errors a handler passes on from a downstream call reach outside callers
// with their code and message, but without the internal addresses of the
// downstream hop (grpc-js' remote_addr=..., our transport's "no connection
// to host:port"). Two real TuskServers: orders -> users.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clientEndpoints } from '../../../src/client/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { startShopServers, type ShopServers } from './shop-servers.js';

let shop: ShopServers;

before(async () => {
  shop = await startShopServers();
});

after(async () => {
  await shop?.close();
});

test('a downstream error the order service passes on keeps its code and details (the user does not exist)', async () => {
  await assert.rejects(shop.orders.createOrder({ userId: 'u_nobody', items: [{ sku: 'mug', quantity: 1, unitPriceCents: 850n }] }), (error: unknown) => {
    assert.ok(error instanceof TuskError);
    assert.equal(error.code, Code.FAILED_PRECONDITION);
    assert.deepEqual(error.details, { fieldViolations: [{ field: 'user_id', description: 'names no user' }] });
    return true;
  });
});

test('a transport failure of the downstream hop reaches the outside caller without the downstream address', async () => {
  const { user } = await shop.users.createUser({ name: 'Ada', email: 'ada@example.com' });
  const [, userPort] = shop.userAddress.split(':');
  await shop.stopUsers();
  await assert.rejects(shop.orders.createOrder({ userId: user!.id, items: [{ sku: 'mug', quantity: 1, unitPriceCents: 850n }] }, { timeout: 10_000 }), (error: unknown) => {
    assert.ok(error instanceof TuskError);
    assert.equal(error.code, Code.UNAVAILABLE, error.message);
    assert.ok(!error.message.includes(userPort!), `the message names the downstream port: ${error.message}`);
    assert.doesNotMatch(error.message, /\d+\.\d+\.\d+\.\d+|remote_addr|local_addr/, error.message);
    return true;
  });
});

test("a downstream outage passed on by a healthy order instance never opens its callers' breaker on it", async () => {
  await shop.stopUsers();
  // More failures than the breaker's threshold (5): each one is the user service's outage, not the order instance's.
  for (let i = 0; i < 12; i++) {
    await assert.rejects(shop.orders.createOrder({ userId: 'u_any', items: [{ sku: 'mug', quantity: 1, unitPriceCents: 850n }] }, { timeout: 10_000 }), (error: unknown) => {
      assert.ok(error instanceof TuskError);
      assert.equal(error.code, Code.UNAVAILABLE, error.message);
      return true;
    });
  }
  assert.deepEqual(clientEndpoints(shop.orders), [{ address: shop.orderAddress, usable: true }]);
});

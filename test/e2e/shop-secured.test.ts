// The example shop secured with mTLS by the contract variables alone: user and
// order processes on a real etcd, the order service calling the user service
// over mTLS with the process's [tls], and this process's clients too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient } from 'tusk-grpc';
import { createOrderServiceClient, type OrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import { createUserServiceClient, type UserServiceClient } from '../../gen/user/v1/user.tusk.js';
import { SAMPLE_BASKETS, SAMPLE_USERS } from '../../examples/demo/sample-data.js';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { startShop, withCode, type Shop } from './shop-fixture.js';

describe('example shop over mTLS (1 user instance, 1 order instance, etcd)', () => {
  let pki: TestPki;
  let shop: Shop;
  let users: UserServiceClient;
  let orders: OrderServiceClient;

  before(async () => {
    pki = await makeTestPki();
    // The server certificate serves both directions (serverAuth and clientAuth): each service is server and client.
    shop = await startShop(['user-a'], { TUSK_TLS_CERT: pki.server.cert, TUSK_TLS_KEY: pki.server.key, TUSK_TLS_CA: pki.ca.cert, TUSK_TLS_CLIENT_AUTH: 'require' });
    // This process's clients have no caller: the variables secure them.
    Object.assign(process.env, { TUSK_TLS_CERT: pki.client.cert, TUSK_TLS_KEY: pki.client.key, TUSK_TLS_CA: pki.ca.cert });
    users = createUserServiceClient();
    orders = createOrderServiceClient();
  });
  after(async () => {
    await Promise.allSettled([users && closeClient(users), orders && closeClient(orders)]);
    await shop?.close();
    await pki?.destroy();
  });

  it('places an order: client → order service → user service, each hop over mTLS', async () => {
    const { user } = await users.createUser(SAMPLE_USERS[0]!);
    const { order, userServedBy } = await orders.createOrder({ userId: user!.id, items: SAMPLE_BASKETS[0]!.items });
    assert.equal(order?.userName, user!.name);
    assert.equal(userServedBy, 'user-a');
  });

  it('a plaintext client, or one without a client certificate, is refused', async () => {
    const plain = createUserServiceClient({ tls: { plaintext: true }, retry: { maxAttempts: 1 } });
    const anonymous = createUserServiceClient({ tls: { cert: null, key: null }, retry: { maxAttempts: 1 } });
    try {
      await assert.rejects(plain.getUser({ id: 'u_1' }), withCode('UNAVAILABLE'));
      await assert.rejects(anonymous.getUser({ id: 'u_1' }), withCode('UNAVAILABLE'));
    } finally {
      await Promise.allSettled([closeClient(plain), closeClient(anonymous)]);
    }
  });
});

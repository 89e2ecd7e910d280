// The example shop secured by the environment alone: user and order processes
// on a real etcd, each with its own certificate and SPIFFE identity (TUSK_TLS_*,
// client_auth require), the user service identifying its callers by certificate
// (TUSK_AUTH_MTLS), and the order service calling it with its own identity.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient } from 'tusk-grpc';
import { createOrderServiceClient, type OrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import { createUserServiceClient, type UserServiceClient } from '../../gen/user/v1/user.tusk.js';
import { SAMPLE_BASKETS, SAMPLE_USERS } from '../../examples/demo/sample-data.js';
import { logLinesWith } from '../../examples/shared/service-process.js';
import { CLIENT_SPIFFE_ID, makeTestPki, SERVER_ALT_NAMES, type IssuedCertificate, type TestPki } from '../helpers/certs.js';
import { waitUntil } from '../helpers/wait.js';
import { startShop, withCode, type Shop } from './shop-fixture.js';

const USER_ID = 'spiffe://tusk.test/ns/shop/sa/user-service';
const ORDER_ID = 'spiffe://tusk.test/ns/shop/sa/order-service';

describe('example shop over mTLS, one identity per service (1 user instance, 1 order instance, etcd)', () => {
  let pki: TestPki;
  let shop: Shop;
  let users: UserServiceClient;
  let orders: OrderServiceClient;

  const tlsEnv = (identity: IssuedCertificate) => ({ TUSK_TLS_CERT: identity.cert, TUSK_TLS_KEY: identity.key, TUSK_TLS_CA: pki.ca.cert, TUSK_TLS_CLIENT_AUTH: 'require' });
  /** The user process's access log lines for `method` (debug level: OK calls included). */
  const userCalls = (method: string) => logLinesWith(shop.processes[0]!, { msg: 'call finished', method });

  before(async () => {
    pki = await makeTestPki();
    // Each service is server and client: one certificate (serverAuth and clientAuth) names it both ways.
    const [userCert, orderCert] = await Promise.all([
      pki.issue(pki.ca, 'user-service', { commonName: 'user-service', altNames: [...SERVER_ALT_NAMES, `URI:${USER_ID}`] }),
      pki.issue(pki.ca, 'order-service', { commonName: 'order-service', altNames: [...SERVER_ALT_NAMES, `URI:${ORDER_ID}`] }),
    ]);
    shop = await startShop(['user-a'], { TUSK_LOG_LEVEL: 'debug' }, {
      user: { ...tlsEnv(userCert), TUSK_AUTH_MTLS: 'true' },
      order: tlsEnv(orderCert),
    });
    // This process's clients have no caller: the variables secure them, with the test client's identity.
    Object.assign(process.env, { TUSK_TLS_CERT: pki.client.cert, TUSK_TLS_KEY: pki.client.key, TUSK_TLS_CA: pki.ca.cert });
    users = createUserServiceClient();
    orders = createOrderServiceClient();
  });
  after(async () => {
    await Promise.allSettled([users && closeClient(users), orders && closeClient(orders)]);
    await shop?.close();
    await pki?.destroy();
  });

  it('places an order: client → order service → user service, each hop over mTLS, each caller seen by its own identity', async () => {
    const { user } = await users.createUser(SAMPLE_USERS[0]!);
    const { order, userServedBy } = await orders.createOrder({ userId: user!.id, items: SAMPLE_BASKETS[0]!.items });
    assert.equal(order?.userName, user!.name);
    assert.equal(userServedBy, 'user-a');
    // The user service authenticated this process by its certificate, and the order service by its own, not by this caller's.
    await waitUntil(() => userCalls('GetUser').length > 0, 5_000, () => `the user service to log the order service's GetUser:\n${shop.processes[0]!.logTail()}`);
    assert.deepEqual([...new Set(userCalls('CreateUser').map((line) => line.subject))], [CLIENT_SPIFFE_ID]);
    assert.deepEqual([...new Set(userCalls('GetUser').map((line) => line.subject))], [ORDER_ID], shop.processes[0]!.logTail());
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

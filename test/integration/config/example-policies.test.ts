// The example services' generated descriptors: which policy a users client
// gets, from the .tsk files read at load time (proto/*/v1/*.tsk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveClientConfig, resolveServiceConfig } from '../../../src/config/index.js';
import { OrderServiceDescriptor } from '../../../gen/order/v1/order.tusk.js';
import { UserServiceDescriptor } from '../../../gen/user/v1/user.tusk.js';

test('the generated descriptors read the .tsk files they were generated from', () => {
  assert.equal(resolveServiceConfig(UserServiceDescriptor, {}).source, 'proto/user/v1/user.tsk');
  assert.equal(resolveServiceConfig(OrderServiceDescriptor, {}).source, 'proto/order/v1/order.tsk');
});

test('a users client calling as the order service gets order.tsk\'s entry; a direct one user.tsk\'s own policy', () => {
  // Both generated modules are imported here: neither order nor presence changes a direct client.
  const direct = effectiveClientConfig(UserServiceDescriptor, {}, {});
  assert.deepEqual([direct.methods.GetUser!.timeoutMs, direct.methods.GetUser!.balancer], [300, 'p2c_ewma']);
  assert.equal(direct.methods.CreateUser!.timeoutMs, 2000);

  const asOrders = effectiveClientConfig(UserServiceDescriptor, { caller: OrderServiceDescriptor }, {});
  // order.tsk: users { timeout: "500ms", balancer: "round_robin" } beats user.tsk's GetUser { timeout: "300ms" }.
  assert.deepEqual([asOrders.methods.GetUser!.timeoutMs, asOrders.methods.GetUser!.balancer], [500, 'round_robin']);
  assert.equal(asOrders.methods.GetUser!.idempotent, true, 'what the entry leaves out stays the target\'s');
  assert.equal(asOrders.methods.CreateUser!.timeoutMs, 500);
});

// The example order saga over real gRPC servers on loopback (user, payment and
// order services, the order service calling the others through generated
// clients) on the local provider: an order that completes, one whose payment
// is declined and is compensated, and the payment service's idempotency keys on the wire.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startCheckout, type RunningCheckout } from '../../../examples/order-service/checkout.js';
import { OrderService } from '../../../examples/order-service/order-service.js';
import { NotificationService } from '../../../examples/notification-service/notification-service.js';
import type { Notification } from '../../../gen/notification/v1/notification.js';
import { createNotificationServiceClient, type NotificationServiceClient } from '../../../gen/notification/v1/notification.tusk.js';
import { DECLINED_USER_ID, PaymentService } from '../../../examples/payment-service/payment-service.js';
import { UserService } from '../../../examples/user-service/user-service.js';
import { UserStore } from '../../../examples/user-service/user-store.js';
import { OrderStatus } from '../../../gen/order/v1/order.js';
import { OrderCancelled, OrderConfirmed, OrderPlaced } from '../../../gen/order/v1/order_events.js';
import { createOrderServiceClient, type OrderServiceClient } from '../../../gen/order/v1/order.tusk.js';
import { createPaymentServiceClient, type PaymentServiceClient } from '../../../gen/payment/v1/payment.tusk.js';
import { createUserServiceClient, type UserServiceClient } from '../../../gen/user/v1/user.tusk.js';
import type { EventBrokerConfig } from '../../../src/config/types.js';
import { closeClient, Code, createEventBroker, createSagaStores, eventType, idempotencyKey, isTuskError, StaticRegistry, TuskServer, type EventBroker, type SagaStores } from '../../../src/index.js';
import { waitUntil } from '../../helpers/wait.js';

describe('the order saga (examples/order-service, examples/payment-service)', () => {
  let dir: string;
  let stores: SagaStores;
  let broker: EventBroker;
  let checkout: RunningCheckout;
  let payment: PaymentService;
  const servers: TuskServer[] = [];
  let users: UserServiceClient;
  let payments: PaymentServiceClient;
  let orders: OrderServiceClient;
  let notifications: NotificationServiceClient;
  let clients: { close(): Promise<void> }[] = [];
  const events: string[] = [];

  const serve = async (service: UserService | PaymentService | OrderService | NotificationService) => {
    const server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, logger: pino({ level: 'silent' }) });
    server.add(service);
    await server.start();
    servers.push(server);
    return `127.0.0.1:${server.port}`;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tusk-order-saga-'));
    // The hosted services' [events] (their .tsk files) on this test's folder.
    process.env.TUSK_EVENTS = 'local';
    process.env.TUSK_EVENTS_DIR = dir;
    const config: EventBrokerConfig = { broker: 'local', servers: ['127.0.0.1:4222'], prefix: 'events', stream: 'TUSK_EVENTS', retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir };
    stores = await createSagaStores(config, { name: 'payment-test' });
    broker = await createEventBroker(config, { source: 'order.v1.OrderService', logger: pino({ level: 'silent' }), pollMs: 20 });
    for (const [name, fns] of [['order.v1.OrderPlaced', OrderPlaced], ['order.v1.OrderConfirmed', OrderConfirmed], ['order.v1.OrderCancelled', OrderCancelled]] as const) {
      await broker.subscribe({ group: `saga-test-${name.split('.').at(-1)}`, type: eventType<{ orderId: string }>(name, fns as never), handler: async (event) => void events.push(`${name.split('.').at(-1)} ${event.orderId}`) });
    }
    const userAddress = await serve(new UserService(new UserStore(join(dir, 'users'))));
    payment = new PaymentService(stores.idempotency, 10_000n);
    const paymentAddress = await serve(payment);
    const orderService = new OrderService(createUserServiceClient({ endpoints: [userAddress] }), 50);
    const paymentsOfOrders = createPaymentServiceClient({ endpoints: [paymentAddress] });
    // Started by the hosted service's onStart(), as main.ts does: its events go out through the generated publishers.
    orderService.startCheckout = async () => (checkout = await startCheckout(orderService, { events: config, payments: paymentsOfOrders, leaseMs: 2_000, logger: pino({ level: 'silent' }) }));
    const orderAddress = await serve(orderService);
    // Choreography beside the orchestrated saga: the notification service reacts to the saga's events by itself.
    notifications = createNotificationServiceClient({ endpoints: [await serve(new NotificationService({ instanceName: 'notification-1' }))] });
    users = createUserServiceClient({ endpoints: [userAddress] });
    payments = createPaymentServiceClient({ endpoints: [paymentAddress] });
    orders = createOrderServiceClient({ endpoints: [orderAddress] });
    clients = [users, payments, orders, paymentsOfOrders, notifications].map((client) => ({ close: () => closeClient(client) }));
  });
  after(async () => {
    await checkout?.stop();
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(servers.map((server) => server.stop()));
    await broker?.close();
    await stores?.close();
    await rm(dir, { recursive: true, force: true });
    delete process.env.TUSK_EVENTS;
    delete process.env.TUSK_EVENTS_DIR;
  });

  it('places an order that completes: pending, charged, confirmed, with OrderPlaced and OrderConfirmed published', async () => {
    const { user } = await users.createUser({ name: 'Ada', email: 'ada@example.test' });
    const { order } = await orders.createOrder({ userId: user!.id, items: [{ sku: 'tea', quantity: 2, unitPriceCents: 350n }] });
    assert.equal(order!.status, OrderStatus.ORDER_STATUS_PLACED);
    assert.match(order!.paymentId, /^p_\d+$/);
    assert.equal(order!.totalCents, 700n);
    await waitUntil(() => events.includes(`OrderPlaced ${order!.id}`) && events.includes(`OrderConfirmed ${order!.id}`), 10_000, () => `the order's events (got ${events.join(', ')})`);
    assert.ok(!events.includes(`OrderCancelled ${order!.id}`));
  });

  it('compensates a declined payment: FAILED_PRECONDITION, the order CANCELLED, OrderCancelled published, nothing charged', async () => {
    const { user } = await users.createUser({ name: 'Big Spender', email: 'big@example.test' });
    const chargedBefore = payment.chargesTaken;
    const error = await orders.createOrder({ userId: user!.id, items: [{ sku: 'piano', quantity: 1, unitPriceCents: 999_999n }] }).then(() => undefined, (failure: unknown) => failure);
    assert.ok(isTuskError(error) && error.code === Code.FAILED_PRECONDITION, `got ${String(error)}`);
    assert.match(error.message, /cancelled: charge action attempt 1: payment declined .*over the limit/);
    assert.equal(error.details?.errorInfo?.reason, 'ORDER_CANCELLED');
    const orderId = error.details!.errorInfo!.metadata!.order_id!;
    assert.equal((await orders.getOrder({ id: orderId })).order!.status, OrderStatus.ORDER_STATUS_CANCELLED);
    await waitUntil(() => events.includes(`OrderCancelled ${orderId}`), 10_000, () => `OrderCancelled (got ${events.join(', ')})`);
    assert.ok(events.includes(`OrderPlaced ${orderId}`));
    assert.ok(!events.includes(`OrderConfirmed ${orderId}`));
    assert.equal(payment.chargesTaken, chargedBefore);
    const saga = await checkout.orchestrator.get<{ orderId: string }>(error.details!.errorInfo!.metadata!.saga_id!);
    assert.deepEqual(saga!.history.map((entry) => `${entry.step}:${entry.kind}:${entry.outcome}`), ['create-pending:action:ok', 'charge:action:failed', 'charge:compensation:ok', 'create-pending:compensation:ok']);

    // The notification service, told nothing by the saga, notified the user of both events under the saga's correlation id.
    const sagaId = error.details!.errorInfo!.metadata!.saga_id!;
    let ofOrder: Notification[] = [];
    await waitUntil(async () => {
      ofOrder = (await notifications.listNotifications({ userId: user!.id })).notifications.filter((notification) => notification.correlationId === sagaId);
      return ofOrder.length === 2;
    }, 10_000, () => `the order's two notifications (got ${JSON.stringify(ofOrder)})`);
    assert.deepEqual(ofOrder.map((notification) => notification.eventType).sort(), ['order.v1.OrderCancelled', 'order.v1.OrderPlaced']);
    assert.match(ofOrder.find((notification) => notification.eventType === 'order.v1.OrderCancelled')!.text, new RegExp(`Your order ${orderId} was cancelled`));
  });

  it('the payment service answers a repeated idempotency key from its record over gRPC, and refuses a charge whose refund came first', async () => {
    const chargedBefore = payment.chargesTaken;
    const metadata = { 'tusk-idempotency-key': idempotencyKey('wire-saga', 'charge', 'action') };
    const first = await payments.charge({ orderId: 'o_wire', userId: 'u_1', amountCents: 100n }, { metadata });
    const again = await payments.charge({ orderId: 'o_wire', userId: 'u_1', amountCents: 100n }, { metadata });
    assert.equal(again.paymentId, first.paymentId);
    assert.equal(payment.chargesTaken, chargedBefore + 1);

    const refund = await payments.refund({ orderId: 'o_late' }, { metadata: { 'tusk-idempotency-key': idempotencyKey('late-saga', 'charge', 'compensation') } });
    assert.equal(refund.refunded, false);
    await assert.rejects(
      payments.charge({ orderId: 'o_late', userId: DECLINED_USER_ID.replace('declined', 'fine'), amountCents: 100n }, { metadata: { 'tusk-idempotency-key': idempotencyKey('late-saga', 'charge', 'action') } }),
      (failure: unknown) => isTuskError(failure) && failure.code === Code.ABORTED && failure.details?.errorInfo?.reason === 'COMPENSATED_BEFORE_ACTION',
    );
    assert.equal(payment.chargesTaken, chargedBefore + 1);
  });
});

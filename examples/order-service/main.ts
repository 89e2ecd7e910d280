// Starts the order service. Environment: ORDER_PORT (0 = any), TUSK_DISCOVERY,
// TUSK_ETCD_ENDPOINTS, TUSK_REGISTRY_DIR, ORDER_STATUS_STEP_MS.
// It finds the user service through the same registry.
// ORDER_CHECKOUT=saga: CreateOrder runs the order saga (order-saga.ts) through the
// payment service, with its state and events on TUSK_EVENTS (local or nats).
import { resolveServiceConfig, TuskServer } from 'tusk-grpc';
import { OrderServiceDescriptor } from '../../gen/order/v1/order.tusk.js';
import { createPaymentServiceClient } from '../../gen/payment/v1/payment.tusk.js';
import { startCheckout } from './checkout.js';
import { OrderService } from './order-service.js';

const orders = new OrderService();
if (process.env.ORDER_CHECKOUT === 'saga') {
  const { events } = resolveServiceConfig(OrderServiceDescriptor);
  orders.startCheckout = () => startCheckout(orders, { events, payments: orders.clientOf(createPaymentServiceClient) });
}
const server = new TuskServer();
server.add(orders);
await server.start();
console.log(JSON.stringify({ ready: orders.descriptor.name, instance: process.env.INSTANCE_NAME ?? `order:${server.port}`, port: server.port }));

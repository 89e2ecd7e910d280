// Starts the order service. Environment: ORDER_PORT (0 = any), TUSK_DISCOVERY,
// TUSK_ETCD_ENDPOINTS, TUSK_REGISTRY_DIR, ORDER_STATUS_STEP_MS.
// It finds the user service through the same registry.
import { TuskServer } from 'tusk-grpc';
import { OrderService } from './order-service.js';

const orders = new OrderService();
const server = new TuskServer();
server.add(orders);
await server.start();
console.log(JSON.stringify({ ready: orders.descriptor.name, instance: process.env.INSTANCE_NAME ?? `order:${server.port}`, port: server.port }));

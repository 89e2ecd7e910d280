// Starts the payment service. Environment: PAYMENT_PORT (0 = any), TUSK_DISCOVERY,
// TUSK_ETCD_ENDPOINTS, TUSK_REGISTRY_DIR, TUSK_EVENTS / TUSK_NATS_SERVERS /
// TUSK_EVENTS_DIR (where idempotency records live), PAYMENT_LIMIT_CENTS, INSTANCE_NAME.
import { createSagaStores, resolveServiceConfig, TuskServer } from 'tusk-grpc';
import { PaymentServiceDescriptor } from '../../gen/payment/v1/payment.tusk.js';
import { PaymentService } from './payment-service.js';

const stores = await createSagaStores(resolveServiceConfig(PaymentServiceDescriptor).events, { name: PaymentServiceDescriptor.name });
const payments = new PaymentService(stores.idempotency);
const server = new TuskServer();
server.add(payments);
await server.start();
payments.instanceName ||= `payment:${server.port}`;
console.log(JSON.stringify({ ready: payments.descriptor.name, instance: payments.instanceName, port: server.port }));

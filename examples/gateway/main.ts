// Starts the HTTP gateway in front of the example services: REST (the protos'
// google.api.http routes), Connect and gRPC-Web, each call made through the tusk
// client pipeline, so it finds the services through the same registry
// (TUSK_DISCOVERY, TUSK_REGISTRY_DIR, TUSK_ETCD_ENDPOINTS). Environment:
// GATEWAY_PORT (default 8080, 0 = any), GATEWAY_HOST (default 0.0.0.0).
// With no code at all, `npx tusk-grpc gateway` does the same from the generated folder.
import { TuskGateway } from 'tusk-grpc';
import { NotificationServiceDescriptor } from '../../gen/notification/v1/notification.tusk.js';
import { OrderServiceDescriptor } from '../../gen/order/v1/order.tusk.js';
import { PaymentServiceDescriptor } from '../../gen/payment/v1/payment.tusk.js';
import { UserServiceDescriptor } from '../../gen/user/v1/user.tusk.js';

const gateway = new TuskGateway({
  services: [UserServiceDescriptor, OrderServiceDescriptor, PaymentServiceDescriptor, NotificationServiceDescriptor],
  port: Number(process.env.GATEWAY_PORT ?? 8080),
  host: process.env.GATEWAY_HOST ?? '0.0.0.0',
});
await gateway.start();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void gateway.stop().then(() => process.exit(0)));
}
console.log(JSON.stringify({ ready: 'gateway', instance: process.env.INSTANCE_NAME ?? `gateway:${gateway.port}`, port: gateway.port, routes: gateway.routeCount }));

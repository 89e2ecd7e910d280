// Starts one notification service instance. Environment: NOTIFICATION_PORT (0 = any),
// TUSK_EVENTS, TUSK_NATS_SERVERS, TUSK_EVENTS_DIR, TUSK_DISCOVERY, TUSK_REGISTRY_DIR,
// INSTANCE_NAME, NOTIFICATION_DELAY_MS (each handler works this long first),
// NOTIFICATION_ACK_WAIT (onUserCreated's ack_wait: how soon a killed instance's event goes to another).
// SIGTERM/SIGINT: TuskServer stops taking events, drains the running handlers and exits.
import { TuskServer } from 'tusk-grpc';
import { NotificationService } from './notification-service.js';

const notifications = new NotificationService({ instanceName: process.env.INSTANCE_NAME ?? '', handlerDelayMs: Number(process.env.NOTIFICATION_DELAY_MS ?? 0) });
const server = new TuskServer();
server.add(notifications);
await server.start();
notifications.instanceName ||= `notification:${server.port}`;
// One line for whoever started us (the demo, the tests) to wait for.
console.log(JSON.stringify({ ready: notifications.descriptor.name, instance: notifications.instanceName, port: server.port }));

// Starts one user service instance. Environment: USER_PORT (0 = any), TUSK_DISCOVERY,
// TUSK_ETCD_ENDPOINTS, TUSK_REGISTRY_DIR, USER_DATA_DIR, INSTANCE_NAME.
// SIGTERM/SIGINT: TuskServer deregisters, drains and exits.
import { TuskServer } from 'tusk-grpc';
import { UserService } from './user-service.js';

const users = new UserService();
const server = new TuskServer();
server.add(users);
await server.start();
users.instanceName ||= `user:${server.port}`;
// One line for whoever started us (the demo, the tests) to wait for.
console.log(JSON.stringify({ ready: users.descriptor.name, instance: users.instanceName, port: server.port }));

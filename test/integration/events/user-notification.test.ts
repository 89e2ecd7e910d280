// The examples together, in one process on the local provider: CreateUser on the
// user service publishes UserCreated, the notification service records it once,
// with the trace of the call, and lists it through its RPC.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { closeClient, TuskServer } from '../../../src/index.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { createNotificationServiceClient, type NotificationServiceClient } from '../../../gen/notification/v1/notification.tusk.js';
import { createUserServiceClient, type UserServiceClient } from '../../../gen/user/v1/user.tusk.js';
import { NotificationService } from '../../../examples/notification-service/notification-service.js';
import { UserService } from '../../../examples/user-service/user-service.js';
import { UserStore } from '../../../examples/user-service/user-store.js';
import { waitUntil } from '../../helpers/wait.js';

let dir = '';
let server: TuskServer;
let users: UserServiceClient;
let notifications: NotificationServiceClient;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-user-notification-'));
  const env = { TUSK_EVENTS: 'local', TUSK_EVENTS_DIR: join(dir, 'events'), TUSK_REGISTRY_DIR: join(dir, 'registry'), TUSK_DISCOVERY: 'local' };
  // One server hosting both: they share its one broker.
  server = new TuskServer({ host: '127.0.0.1', port: 0, drainDelayMs: 0, handleSignals: false, logger: createLogger({ level: 'silent' }), env });
  server.add(new UserService(new UserStore(join(dir, 'users')))).add(new NotificationService({ instanceName: 'notifications-1' }));
  await server.start();
  const target = { endpoints: [`127.0.0.1:${server.port}`] };
  users = createUserServiceClient(target);
  notifications = createNotificationServiceClient(target);
});
after(async () => {
  await closeClient(users);
  await closeClient(notifications);
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

test('CreateUser -> UserCreated -> a welcome notification, recorded once, listed by ListNotifications', async () => {
  const { user } = await users.createUser({ name: 'Grace', email: 'grace@example.com' });
  const listed = await waitUntil(async () => {
    const { notifications: found } = await notifications.listNotifications({ userId: user!.id });
    return found.length > 0 ? found : undefined;
  }, 10_000, 'the welcome notification');
  assert.equal(listed.length, 1);
  const [notification] = listed;
  assert.equal(notification!.eventId, `user-created-${user!.id}`);
  assert.equal(notification!.eventType, 'user.v1.UserCreated');
  assert.equal(notification!.source, 'user.v1.UserService');
  assert.equal(notification!.recordedBy, 'notifications-1');
  assert.match(notification!.text, /Welcome, Grace!/);
});

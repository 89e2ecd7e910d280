// An event: every CreateUser published UserCreated, and one instance of the
// notification service (its consumer group) recorded the welcome, in the
// trace of the CreateUser call.
import type { Notification } from '../../../gen/notification/v1/notification.js';
import { logLinesWith } from '../../shared/service-process.js';
import { waitUntil } from '../../shared/wait.js';
import { waitForNotifications } from '../notifications.js';
import { heading, line } from '../print.js';
import { check, type DemoScene } from '../scene.js';

const EVENT_TIMEOUT_MS = 10_000;

export default {
  async run(services) {
    heading('Events: each CreateUser published UserCreated; one notification instance recorded each welcome');
    const welcomes: Notification[] = [];
    for (const customer of services.customers) {
      const found = await waitForNotifications(services, customer.id, EVENT_TIMEOUT_MS);
      check(found.length === 1, `one instance of the group recorded ${customer.name}'s welcome (found ${found.length})`);
      const { notification } = found[0]!;
      welcomes.push(notification);
      line(`${customer.name.padEnd(13)} recorded by ${notification.recordedBy} (attempt ${notification.attempt}): "${notification.text}"`);
    }

    const [customer, welcome] = [services.customers[0]!, welcomes[0]!];
    check(welcome.traceId.length === 32, 'the notification carries the publisher\'s trace id');
    // The user service logs every CreateUser with its call's trace id; the event carried it (traceparent) to the handler.
    const creator = await waitUntil(
      () => services.userInstances.find((instance) => logLinesWith(instance, { msg: 'user created', user_id: customer.id }).length > 0),
      5_000, `a user instance to log CreateUser(${customer.id})`,
    );
    const [created] = logLinesWith(creator, { msg: 'user created', user_id: customer.id });
    check(created?.trace_id === welcome.traceId, `CreateUser's trace ${String(created?.trace_id)} is the notification's ${welcome.traceId}`);
    line(`${creator.name} logged CreateUser(${customer.id}) under trace_id ${welcome.traceId}`);
    line(`${welcome.recordedBy} recorded the welcome under trace_id ${welcome.traceId}: same trace, call → publish → consume`);
  },
} satisfies DemoScene;

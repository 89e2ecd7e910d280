// At least once: a notification instance killed while handling an event never
// acks it, so after ack_wait the group's other instance gets it and records it
// (once: the service records by event id).
import { formatDuration, resolveServiceConfig } from 'tusk-grpc';
import { NotificationServiceDescriptor } from '../../../gen/notification/v1/notification.tusk.js';
import { logLinesWith } from '../../shared/service-process.js';
import { waitUntil } from '../../shared/wait.js';
import { notificationsFor } from '../notifications.js';
import { heading, line } from '../print.js';
import { check, type DemoScene } from '../scene.js';

const NEWCOMER = { name: 'Edsger Dijkstra', email: 'edsger@example.com' };
/** Beyond ack_wait: the survivor's poll, the handler's own delay and a busy machine. */
const REDELIVERY_SLACK_MS = 15_000;

export default {
  async run(services) {
    const { ackWaitMs } = resolveServiceConfig(NotificationServiceDescriptor, { ...process.env, ...services.env }).subscriptions.onUserCreated!;
    heading('Killing a notification instance mid-event (SIGKILL): the event is redelivered to the other');
    const { user } = await services.users.createUser(NEWCOMER);
    check(user !== undefined, 'CreateUser returns the user');
    // NOTIFICATION_DELAY_MS keeps the handler busy long enough to be killed; it logs when it starts.
    const holder = await waitUntil(
      () => services.notificationInstances.find((instance) => logLinesWith(instance, { msg: 'notification in progress', user_id: user.id }).length > 0),
      10_000, `a notification instance to take UserCreated(${user.id})`,
    );
    await holder.kill();
    const killedAt = Date.now();
    line(`${holder.name} took UserCreated(${user.id}) for ${user.name} and was killed before it recorded the welcome`);

    const survivor = services.notificationInstances.find((instance) => instance !== holder && instance.running);
    check(survivor !== undefined, 'another notification instance is running');
    const found = await waitUntil(async () => {
      const recorded = await notificationsFor(services, user.id);
      return recorded.length > 0 ? recorded : undefined;
    }, ackWaitMs + REDELIVERY_SLACK_MS, () => {
      // On a very busy machine the kill may come after the handler's delay: then there is nothing to redeliver.
      const tooLate = logLinesWith(holder, { msg: 'notification recorded', user_id: user.id }).length > 0 ? `; ${holder.name} had recorded it before the kill landed` : '';
      return `${survivor.name} to record the redelivered UserCreated(${user.id}) (ack_wait ${formatDuration(ackWaitMs)})${tooLate}`;
    }, { intervalMs: 50 });
    const { notification } = found[0]!;
    check(found.length === 1 && notification.recordedBy === survivor.name, `only ${survivor.name} recorded it`);
    check(notification.attempt >= 2, `it was a redelivery (attempt ${notification.attempt})`);
    check(logLinesWith(survivor, { msg: 'notification recorded', user_id: user.id }).length === 1, 'recorded once');
    const after = ((Date.now() - killedAt) / 1000).toFixed(1);
    line(`ack_wait ${formatDuration(ackWaitMs)} passed unacknowledged: ${survivor.name} got it on attempt ${notification.attempt} and recorded it once, ${after} s after the kill`);
  },
} satisfies DemoScene;

// What the notification instances recorded: each keeps its own list, so the
// demo asks every live instance for a user's notifications.
import type { Notification } from '../../gen/notification/v1/notification.js';
import type { ServiceProcess } from '../shared/service-process.js';
import { waitUntil } from '../shared/wait.js';
import type { DemoServices } from './scene.js';

export interface RecordedNotification {
  readonly instance: ServiceProcess;
  readonly notification: Notification;
}

/** The user's notifications on every live notification instance. */
export async function notificationsFor(services: DemoServices, userId: string): Promise<RecordedNotification[]> {
  const live = services.notificationInstances.filter((instance) => instance.running);
  const lists = await Promise.all(live.map(async (instance) => {
    const { notifications } = await services.notificationsAt(instance).listNotifications({ userId });
    return notifications.map((notification) => ({ instance, notification }));
  }));
  return lists.flat();
}

/** Waits until some instance recorded a notification for the user; returns all there are then. */
export function waitForNotifications(services: DemoServices, userId: string, timeoutMs: number): Promise<RecordedNotification[]> {
  return waitUntil(async () => {
    const found = await notificationsFor(services, userId);
    return found.length > 0 ? found : undefined;
  }, timeoutMs, `a notification for ${userId}`, { intervalMs: 50 });
}

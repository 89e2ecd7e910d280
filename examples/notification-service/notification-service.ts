// notification.v1.NotificationService: extend the generated base, one method per
// RPC and one handler per [subscriptions] block. It records the notifications
// it would send; a real service would hand them to a mail or push gateway.
// Choreography: no one tells it what to do. It reacts to the events the user
// service and the order saga publish, and keeps their correlation id, so an
// order's notifications can be tied to the saga that placed or cancelled it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallContext, EventContext } from 'tusk-grpc';
import type { ListNotificationsRequest, ListNotificationsResponse, Notification } from '../../gen/notification/v1/notification.js';
import { NotificationServiceBase } from '../../gen/notification/v1/notification.tusk.js';
import type { OrderCancelled, OrderPlaced } from '../../gen/order/v1/order_events.js';
import type { UserCreated } from '../../gen/user/v1/user_events.js';

export interface NotificationServiceOptions {
  /** Put in every notification's recorded_by; main.ts falls back to the port. */
  readonly instanceName?: string;
  /** How long a handler works before recording (the demo kills an instance mid-event with it); default 0. */
  readonly handlerDelayMs?: number;
}

const cents = (amount: bigint): string => `${amount / 100n}.${(amount % 100n).toString().padStart(2, '0')}`;

export class NotificationService extends NotificationServiceBase {
  instanceName: string;
  readonly #handlerDelayMs: number;
  /** By event id: at-least-once delivery means an event may come twice; it is recorded once. */
  readonly #byEventId = new Map<string, Notification>();

  constructor(options: NotificationServiceOptions = {}) {
    super();
    this.instanceName = options.instanceName ?? '';
    this.#handlerDelayMs = options.handlerDelayMs ?? 0;
  }

  async onUserCreated(event: UserCreated, ctx: EventContext): Promise<void> {
    await this.#record(ctx, event.userId, `Welcome, ${event.name}! Your account ${event.email} is ready.`);
  }

  async onOrderPlaced(event: OrderPlaced, ctx: EventContext): Promise<void> {
    await this.#record(ctx, event.userId, `We received your order ${event.orderId} (${cents(event.totalCents)}); we will confirm it once it is paid.`, event.correlationId);
  }

  async onOrderCancelled(event: OrderCancelled, ctx: EventContext): Promise<void> {
    await this.#record(ctx, event.userId, `Your order ${event.orderId} was cancelled: ${event.reason || 'no reason given'}.`, event.correlationId);
  }

  async listNotifications(request: ListNotificationsRequest, _ctx: CallContext): Promise<ListNotificationsResponse> {
    const all = [...this.#byEventId.values()];
    return { notifications: request.userId === '' ? all : all.filter((notification) => notification.userId === request.userId) };
  }

  /** The application's idempotency check: a redelivered event (same id) is not recorded again. */
  async #record(ctx: EventContext, userId: string, text: string, correlationId = ''): Promise<void> {
    if (this.#handlerDelayMs > 0) {
      // Logged before the wait, so whoever kills an instance mid-event (the demo) can tell which one holds it.
      ctx.logger.info({ user_id: userId, delay_ms: this.#handlerDelayMs }, 'notification in progress');
      await sleep(this.#handlerDelayMs);
    }
    if (this.#byEventId.has(ctx.eventId)) {
      ctx.logger.info({ user_id: userId }, 'notification already recorded for this event');
      return;
    }
    this.#byEventId.set(ctx.eventId, {
      eventId: ctx.eventId,
      eventType: ctx.type,
      userId,
      text,
      traceId: ctx.trace.traceId ?? '',
      source: ctx.source,
      attempt: ctx.attempt,
      recordedBy: this.instanceName,
      publishedAt: ctx.publishedAt,
      correlationId,
    });
    // The event's logger carries its trace id: the demo follows one trace from the call to here.
    ctx.logger.info({ user_id: userId, text }, 'notification recorded');
  }
}

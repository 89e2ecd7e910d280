// Sagas: with ORDER_CHECKOUT=saga every CreateOrder runs the order saga
// (examples/order-service/order-saga.ts): a pending order, a charge through the
// payment service, a confirmation. One order completes; one over the payment
// limit is compensated in reverse, and the notification service, told nothing
// by the saga, notifies the user under the saga's correlation id.
import { codeName, isTuskError } from 'tusk-grpc';
import { OrderStatus } from '../../../gen/order/v1/order.js';
import { waitUntil } from '../../shared/wait.js';
import { notificationsFor } from '../notifications.js';
import { describeError, expectFailure, heading, line } from '../print.js';
import { SAMPLE_BASKETS } from '../sample-data.js';
import { check, type DemoScene } from '../scene.js';

const NOTIFICATION_TIMEOUT_MS = 10_000;
/** Over the payment service's limit (PAYMENT_LIMIT_CENTS, default 1 000.00): declined. */
const GRAND_PIANO = { sku: 'grand-piano', quantity: 1, unitPriceCents: 4_999_900n };

export default {
  processes: [{ service: 'payment', name: 'payment-1' }],
  env: { ORDER_CHECKOUT: 'saga' },
  async run(context) {
    const { orders } = context;
    const customer = context.customers[1]!;

    heading('A saga that completes: the order is stored PENDING, charged by the payment service, then confirmed');
    const { order } = await orders.createOrder({ userId: customer.id, items: SAMPLE_BASKETS[1]!.items });
    check(order!.status === OrderStatus.ORDER_STATUS_PLACED && order!.paymentId !== '', `the completed saga's order is PLACED and paid (got ${OrderStatus[order!.status]})`);
    line(`order ${order!.id} for ${customer.name}: ${OrderStatus[order!.status]}, payment ${order!.paymentId}`);

    heading('A saga that compensates: the payment is declined, so the steps done are undone in reverse');
    const failure = await expectFailure(() => orders.createOrder({ userId: customer.id, items: [GRAND_PIANO] }));
    check(isTuskError(failure) && codeName(failure.code) === 'FAILED_PRECONDITION' && failure.details?.errorInfo?.reason === 'ORDER_CANCELLED', 'a declined payment cancels the order');
    line(`CreateOrder(grand piano) → ${describeError(failure)}`);
    const { order_id: orderId, saga_id: sagaId } = failure.details!.errorInfo!.metadata as Record<string, string>;
    const cancelled = (await orders.getOrder({ id: orderId! })).order!;
    check(cancelled.status === OrderStatus.ORDER_STATUS_CANCELLED, `the compensated order is CANCELLED (got ${OrderStatus[cancelled.status]})`);
    line(`order ${orderId}: ${OrderStatus[cancelled.status]} (compensated: refund, then cancel; saga ${sagaId})`);

    // Choreography: the notification service reacts to the saga's OrderCancelled by itself.
    const [told] = await waitUntil(async () => {
      const found = (await notificationsFor(context, customer.id))
        .filter(({ notification }) => notification.correlationId === sagaId && notification.eventType === 'order.v1.OrderCancelled');
      return found.length > 0 ? found : undefined;
    }, NOTIFICATION_TIMEOUT_MS, `the notification of order ${orderId}'s cancellation`, { intervalMs: 50 });
    line(`${told!.notification.recordedBy} told ${customer.name}: "${told!.notification.text}" (correlation id = the saga's)`);
  },
} satisfies DemoScene;

// Order placement as a saga: store the order as PENDING, charge it through
// payment.v1.PaymentService, then confirm it. A declined (or failing) charge
// compensates in reverse: refund (nothing to give back when never charged),
// then cancel the order. Each step publishes its event with an event id made
// from the saga id, so a step repeated after a crash publishes no duplicate.
import { defineSaga, type SagaStepContext } from 'tusk-grpc';
import { OrderStatus, type Order, type OrderItem } from '../../gen/order/v1/order.js';
import type { OrderServiceBase } from '../../gen/order/v1/order.tusk.js';
import type { PaymentServiceClient } from '../../gen/payment/v1/payment.tusk.js';

export interface PlaceOrderState {
  readonly orderId: string;
  readonly userId: string;
  readonly userName: string;
  readonly items: readonly OrderItem[];
  readonly totalCents: bigint;
  /** The saga id: ties the order's events and calls together. */
  readonly correlationId: string;
  readonly paymentId?: string;
}

/** Where the saga keeps orders: the order service's own store. */
export interface OrderBook {
  get(id: string): Order | undefined;
  put(order: Order): void;
}

export interface PlaceOrderDeps {
  readonly book: OrderBook;
  readonly payments: PaymentServiceClient;
  /** Publishes OrderPlaced/OrderConfirmed/OrderCancelled: the hosted order service's generated publishers. */
  readonly events: OrderEventPublishers;
  /** Per step attempt; default 3 s. */
  readonly stepTimeoutMs?: number;
  /** Compensation retries (then the saga is STUCK); default the saga default. */
  readonly compensationBackoffMs?: readonly number[];
}

export type OrderEventPublishers = Pick<OrderServiceBase, 'publishOrderPlaced' | 'publishOrderConfirmed' | 'publishOrderCancelled'>;

export const PLACE_ORDER_SAGA = 'order.place';

export function placeOrderSaga(deps: PlaceOrderDeps) {
  const { book, payments, events } = deps;
  const setStatus = (state: PlaceOrderState, status: OrderStatus, changes: Partial<Order> = {}): void => {
    const order = book.get(state.orderId);
    if (order) book.put({ ...order, ...changes, status });
  };
  return defineSaga<PlaceOrderState>({
    name: PLACE_ORDER_SAGA,
    timeoutMs: deps.stepTimeoutMs ?? 3_000,
    ...(deps.compensationBackoffMs ? { compensationRetry: { backoffMs: deps.compensationBackoffMs } } : {}),
    steps: [
      {
        name: 'create-pending',
        action: async (state, ctx) => {
          // Repeated after a crash: the order is already there.
          if (!book.get(state.orderId)) {
            book.put({ id: state.orderId, userId: state.userId, items: [...state.items], totalCents: state.totalCents, status: OrderStatus.ORDER_STATUS_PENDING, createdAt: new Date(), userName: state.userName, paymentId: '' });
          }
          await events.publishOrderPlaced({ orderId: state.orderId, userId: state.userId, totalCents: state.totalCents, correlationId: state.correlationId }, eventOptions(ctx, 'placed'));
        },
        compensate: async (state, ctx) => {
          setStatus(state, OrderStatus.ORDER_STATUS_CANCELLED);
          await events.publishOrderCancelled({ orderId: state.orderId, userId: state.userId, reason: ctx.reason ?? '', correlationId: state.correlationId }, eventOptions(ctx, 'cancelled'));
        },
      },
      {
        name: 'charge',
        action: async (state, ctx) => {
          const { paymentId } = await payments.charge({ orderId: state.orderId, userId: state.userId, amountCents: state.totalCents }, ctx.call);
          return { paymentId };
        },
        compensate: async (state, ctx) => {
          await payments.refund({ orderId: state.orderId }, ctx.call);
        },
      },
      {
        name: 'confirm',
        action: async (state, ctx) => {
          // The status walk (PLACED → PAID → ...) starts from the confirmation.
          setStatus(state, OrderStatus.ORDER_STATUS_PLACED, { paymentId: state.paymentId ?? '', createdAt: new Date() });
          await events.publishOrderConfirmed({ orderId: state.orderId, userId: state.userId, correlationId: state.correlationId }, eventOptions(ctx, 'confirmed'));
        },
      },
    ],
  });
}

/** The same event id on every attempt of the step: a republish after a crash is a duplicate the broker drops. */
function eventOptions(ctx: SagaStepContext, what: string) {
  return { eventId: `${ctx.sagaId}:${what}`, timeoutMs: Math.max(1, ctx.deadline - Date.now()), signal: ctx.signal };
}

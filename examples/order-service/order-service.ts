// order.v1.OrderService: checks each order's user through the generated
// UserService client, which finds the user instances through discovery and,
// built with this.clientOf(), takes its timeout and retries from order.tsk's
// [dependencies] users entry. With a checkout (checkout.ts) CreateOrder runs the
// order saga (order-saga.ts): pending order, payment, confirmation, undone on a decline.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, TuskError, isTuskError, type CallContext, type FieldViolation, type SagaDefinition, type SagaOrchestrator } from 'tusk-grpc';
import {
  OrderStatus, type CreateOrderRequest, type CreateOrderResponse, type GetOrderRequest, type GetOrderResponse, type ListOrdersByUserRequest,
  type ListOrdersByUserResponse, type Order, type OrderItem, type WatchOrderStatusRequest, type WatchOrderStatusResponse,
} from '../../gen/order/v1/order.js';
import { OrderServiceBase } from '../../gen/order/v1/order.tusk.js';
import { createUserServiceClient, type UserServiceClient } from '../../gen/user/v1/user.tusk.js';
import type { RunningCheckout } from './checkout.js';
import type { OrderBook, PlaceOrderState } from './order-saga.js';

/** What is wrong with an order request's fields; empty when nothing is. */
export function validateOrder(request: CreateOrderRequest): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (request.userId === '') violations.push({ field: 'user_id', description: 'must not be empty' });
  if (request.items.length === 0) violations.push({ field: 'items', description: 'must hold at least one item' });
  request.items.forEach((item, index) => {
    if (item.sku.trim() === '') violations.push({ field: `items[${index}].sku`, description: 'must not be empty' });
    if (item.quantity <= 0) violations.push({ field: `items[${index}].quantity`, description: 'must be at least 1' });
    if (item.unitPriceCents < 0) violations.push({ field: `items[${index}].unit_price_cents`, description: 'must not be negative' });
  });
  return violations;
}

export const orderTotalCents = (items: readonly OrderItem[]): bigint => items.reduce((sum, item) => sum + BigInt(item.quantity) * item.unitPriceCents, 0n);

/** The order saga and who runs it (see checkout.ts). */
export interface OrderCheckout {
  readonly orchestrator: SagaOrchestrator;
  readonly saga: SagaDefinition<PlaceOrderState>;
}

const STATUS_FLOW = [OrderStatus.ORDER_STATUS_PLACED, OrderStatus.ORDER_STATUS_PAID, OrderStatus.ORDER_STATUS_SHIPPED, OrderStatus.ORDER_STATUS_DELIVERED];

/** Orders are kept in memory: the example runs one order instance (the user service shows the shared-store case). */
export class OrderService extends OrderServiceBase {
  private readonly orders = new Map<string, Order>();
  private nextId = 1;
  private readonly users: UserServiceClient;
  /** The orders, as the order saga reads and writes them. */
  readonly book: OrderBook = { get: (id) => this.orders.get(id), put: (order) => void this.orders.set(order.id, order) };
  /** Set: CreateOrder places orders through the order saga. Unset: it stores them at once (no payment). */
  checkout: OrderCheckout | undefined;
  /** Set before the server starts: run in onStart(), once the event broker is open; stopped in onStop(). */
  startCheckout: (() => Promise<RunningCheckout>) | undefined;
  private runningCheckout: RunningCheckout | undefined;

  constructor(
    users?: UserServiceClient,
    /** Every order moves PLACED → PAID → SHIPPED → DELIVERED, one step per this many ms. */
    private readonly statusStepMs = Number(process.env.ORDER_STATUS_STEP_MS) || 400,
  ) {
    super();
    // Calls as the order service: order.tsk's [dependencies] users entry applies.
    this.users = users ?? this.clientOf(createUserServiceClient);
  }

  override async onStart(): Promise<void> {
    this.runningCheckout = await this.startCheckout?.();
  }

  override async onStop(): Promise<void> {
    await this.runningCheckout?.stop();
    this.runningCheckout = undefined;
  }

  async createOrder(request: CreateOrderRequest, ctx: CallContext): Promise<CreateOrderResponse> {
    const violations = validateOrder(request);
    if (violations.length > 0) throw new TuskError(Code.INVALID_ARGUMENT, 'invalid order', { fieldViolations: violations });

    // { parent: ctx } passes on this call's deadline, cancellation and trace.
    const checked = await this.users.getUser({ id: request.userId }, { parent: ctx }).catch((error: unknown) => {
      // The order names a user that does not exist: the caller must create the user first, so
      // FAILED_PRECONDITION (NOT_FOUND would suggest the order itself is missing).
      if (isTuskError(error) && error.code === Code.NOT_FOUND) {
        throw new TuskError(Code.FAILED_PRECONDITION, `user "${request.userId}" does not exist`, { fieldViolations: [{ field: 'user_id', description: 'names no user' }] });
      }
      throw error;
    });

    const id = `o_${this.nextId++}`;
    if (this.checkout) {
      const order = await this.placeThroughSaga(this.checkout, { orderId: id, userId: request.userId, userName: checked.user?.name ?? '', items: request.items, totalCents: orderTotalCents(request.items) });
      return { order, traceId: ctx.trace.traceId ?? '', userServedBy: checked.servedBy };
    }
    const order: Order = {
      id,
      userId: request.userId,
      items: request.items,
      totalCents: orderTotalCents(request.items),
      status: OrderStatus.ORDER_STATUS_PLACED,
      createdAt: new Date(),
      userName: checked.user?.name ?? '',
      paymentId: '',
    };
    this.orders.set(order.id, order);
    ctx.logger.info({ order_id: order.id, user_id: order.userId, total_cents: order.totalCents }, 'order created');
    return { order, traceId: ctx.trace.traceId ?? '', userServedBy: checked.servedBy };
  }

  /** Runs the order saga; a compensated saga (e.g. payment declined) is FAILED_PRECONDITION, the order stays CANCELLED. */
  private async placeThroughSaga(checkout: OrderCheckout, order: Omit<PlaceOrderState, 'correlationId'>): Promise<Order> {
    const sagaId = randomUUID();
    const outcome = await checkout.orchestrator.run(checkout.saga, { ...order, correlationId: sagaId }, { sagaId });
    const errorInfo = (reason: string) => ({ reason, domain: 'order.v1', metadata: { order_id: order.orderId, saga_id: sagaId } });
    if (outcome.status === 'compensated') {
      throw new TuskError(Code.FAILED_PRECONDITION, `order ${order.orderId} cancelled: ${outcome.error ?? 'a step failed'}`, { errorInfo: errorInfo('ORDER_CANCELLED') });
    }
    if (outcome.status === 'stuck') throw new TuskError(Code.INTERNAL, `order ${order.orderId} could not be undone; an operator must finish saga ${sagaId}`, { errorInfo: errorInfo('ORDER_SAGA_STUCK') });
    return this.withCurrentStatus(this.find(order.orderId));
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return { order: this.withCurrentStatus(this.find(request.id)) };
  }

  async *listOrdersByUser(request: ListOrdersByUserRequest): AsyncIterable<ListOrdersByUserResponse> {
    // A Map iterates in insertion order: oldest order first.
    for (const order of this.orders.values()) {
      if (order.userId === request.userId) yield { order: this.withCurrentStatus(order) };
    }
  }

  /** The order's whole status history, each step sent when it happens (past steps at once). */
  async *watchOrderStatus(request: WatchOrderStatusRequest, ctx: CallContext): AsyncIterable<WatchOrderStatusResponse> {
    const order = this.find(request.id);
    if (order.status === OrderStatus.ORDER_STATUS_CANCELLED || order.status === OrderStatus.ORDER_STATUS_PENDING) {
      yield { id: order.id, status: order.status, at: order.createdAt! };
      return;
    }
    for (const [step, status] of STATUS_FLOW.entries()) {
      const at = order.createdAt!.getTime() + step * this.statusStepMs;
      if (at > Date.now()) await sleep(at - Date.now(), undefined, { signal: ctx.signal });
      yield { id: order.id, status, at: new Date(at) };
    }
  }

  private find(id: string): Order {
    const order = this.orders.get(id);
    if (!order) throw new TuskError(Code.NOT_FOUND, `no order with id "${id}"`);
    return order;
  }

  private withCurrentStatus(order: Order): Order {
    // Only a confirmed order walks on by itself; a pending or cancelled one stays where the saga left it.
    if (order.status === OrderStatus.ORDER_STATUS_PENDING || order.status === OrderStatus.ORDER_STATUS_CANCELLED) return order;
    const steps = Math.floor((Date.now() - order.createdAt!.getTime()) / this.statusStepMs);
    return { ...order, status: STATUS_FLOW[Math.min(steps, STATUS_FLOW.length - 1)]! };
  }
}

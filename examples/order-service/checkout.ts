// Wires the order saga into an OrderService: the saga stores on the provider
// order.tsk's [events] names (TUSK_EVENTS), an orchestrator that also finishes
// sagas other instances left behind, and the payment client. Start it once the
// service is hosted (its onStart()), so the saga's events have a broker.
import { createSagaStores, SagaOrchestrator, type EventBrokerConfig, type Logger } from 'tusk-grpc';
import type { Registry } from 'prom-client';
import type { PaymentServiceClient } from '../../gen/payment/v1/payment.tusk.js';
import { placeOrderSaga } from './order-saga.js';
import type { OrderService } from './order-service.js';

export interface CheckoutOptions {
  readonly events: EventBrokerConfig;
  readonly payments: PaymentServiceClient;
  readonly leaseMs?: number;
  readonly stepTimeoutMs?: number;
  readonly logger?: Logger;
  readonly metricsRegistry?: Registry;
}

export interface RunningCheckout {
  readonly orchestrator: SagaOrchestrator;
  /** Stops the orchestrator (running sagas are handed back) and closes the stores. */
  stop(): Promise<void>;
}

export async function startCheckout(orders: OrderService, options: CheckoutOptions): Promise<RunningCheckout> {
  const stores = await createSagaStores(options.events, { name: orders.descriptor.name });
  const saga = placeOrderSaga({
    book: orders.book, payments: options.payments, events: orders,
    ...(options.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: options.stepTimeoutMs }),
  });
  const orchestrator = new SagaOrchestrator({
    store: stores.sagas, sagas: [saga],
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metricsRegistry ? { metricsRegistry: options.metricsRegistry } : {}),
  });
  orchestrator.start();
  orders.checkout = { orchestrator, saga };
  return {
    orchestrator,
    stop: async () => {
      orders.checkout = undefined;
      await orchestrator.stop();
      await stores.close();
    },
  };
}

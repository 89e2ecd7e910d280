// payment.v1.PaymentService: the order saga's charge step and its refund.
// Charges are kept in the idempotency store's provider (a folder with `local`,
// a JetStream KV bucket with `nats`) through idempotent(): a Charge repeated
// under the same tusk-idempotency-key (a saga step retried after a crash) is
// answered from the record and charges once; a Refund that arrives before its
// Charge (the charge timed out and never ran) makes the late Charge a no-op.
import { Code, TuskError, type CallContext } from 'tusk-grpc';
import { idempotent, type VersionedStore } from 'tusk-grpc';
import { ChargeResponse, RefundResponse, type ChargeRequest, type RefundRequest } from '../../gen/payment/v1/payment.js';
import { PaymentServiceBase } from '../../gen/payment/v1/payment.tusk.js';

/** Charges above this are declined (PAYMENT_LIMIT_CENTS; default 100 000 = 1 000.00). */
export const DEFAULT_PAYMENT_LIMIT_CENTS = 100_000n;
/** Orders of this user are always declined: the demo's and tests' way to see a compensation. */
export const DECLINED_USER_ID = 'u_declined';

export function declined(orderId: string, why: string): TuskError {
  return new TuskError(Code.FAILED_PRECONDITION, `payment declined for order ${orderId}: ${why}`, {
    errorInfo: { reason: 'PAYMENT_DECLINED', domain: 'payment.v1', metadata: { order_id: orderId } },
  });
}

export class PaymentService extends PaymentServiceBase {
  /** Charged orders: order id -> payment id. In memory, as the order example's orders are. */
  private readonly charges = new Map<string, string>();
  private nextId = 1;
  instanceName = process.env.INSTANCE_NAME ?? '';

  constructor(
    private readonly idempotency: VersionedStore,
    private readonly limitCents = BigInt(process.env.PAYMENT_LIMIT_CENTS ?? DEFAULT_PAYMENT_LIMIT_CENTS),
  ) {
    super();
  }

  /** How many charges were actually taken (not answered from a record): for tests and the demo. */
  get chargesTaken(): number {
    return this.nextId - 1;
  }

  async charge(request: ChargeRequest, ctx: CallContext): Promise<ChargeResponse> {
    return idempotent(ctx, this.idempotency, ChargeResponse, async () => {
      if (request.orderId === '') throw new TuskError(Code.INVALID_ARGUMENT, 'order_id is empty', { fieldViolations: [{ field: 'order_id', description: 'must not be empty' }] });
      if (request.amountCents <= 0n) throw new TuskError(Code.INVALID_ARGUMENT, 'amount_cents must be above 0', { fieldViolations: [{ field: 'amount_cents', description: 'must be above 0' }] });
      if (request.userId === DECLINED_USER_ID) throw declined(request.orderId, `user ${request.userId} has no valid card`);
      if (request.amountCents > this.limitCents) throw declined(request.orderId, `amount ${request.amountCents} is over the limit of ${this.limitCents}`);
      const paymentId = this.charges.get(request.orderId) ?? `p_${this.nextId++}`;
      this.charges.set(request.orderId, paymentId);
      ctx.logger.info({ order_id: request.orderId, payment_id: paymentId, amount_cents: request.amountCents }, 'payment charged');
      return { paymentId, servedBy: this.instanceName };
    });
  }

  async refund(request: RefundRequest, ctx: CallContext): Promise<RefundResponse> {
    return idempotent(ctx, this.idempotency, RefundResponse, async () => {
      const paymentId = this.charges.get(request.orderId);
      // Nothing charged (declined, or the charge never ran): nothing to give back, and that is a success.
      if (paymentId === undefined) return { refunded: false, paymentId: '' };
      this.charges.delete(request.orderId);
      ctx.logger.info({ order_id: request.orderId, payment_id: paymentId }, 'payment refunded');
      return { refunded: true, paymentId };
    });
  }
}

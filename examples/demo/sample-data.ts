// The shop the demo (and the end-to-end tests) fill in.
import type { OrderItem } from '../../gen/order/v1/order.js';

export const SAMPLE_USERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Alan Turing', email: 'alan@example.com' },
] as const;

/** Item lists with their expected totals in cents (int64 in the proto, so bigint). */
export const SAMPLE_BASKETS: ReadonlyArray<{ readonly items: OrderItem[]; readonly totalCents: bigint }> = [
  { items: [{ sku: 'book-sicp', quantity: 2, unitPriceCents: 4_250n }, { sku: 'pencil', quantity: 10, unitPriceCents: 35n }], totalCents: 8_850n },
  { items: [{ sku: 'keyboard', quantity: 1, unitPriceCents: 12_999n }], totalCents: 12_999n },
  { items: [{ sku: 'coffee', quantity: 3, unitPriceCents: 1_199n }, { sku: 'mug', quantity: 1, unitPriceCents: 850n }], totalCents: 4_447n },
];

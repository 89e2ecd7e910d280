// The shop the demo (and the end-to-end tests) fill in.
import type { OrderItem } from '../../gen/order/v1/order.js';

export const SAMPLE_USERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Alan Turing', email: 'alan@example.com' },
] as const;

/** Item lists with their expected totals in cents. */
export const SAMPLE_BASKETS: ReadonlyArray<{ readonly items: OrderItem[]; readonly totalCents: number }> = [
  { items: [{ sku: 'book-sicp', quantity: 2, unitPriceCents: 4_250 }, { sku: 'pencil', quantity: 10, unitPriceCents: 35 }], totalCents: 8_850 },
  { items: [{ sku: 'keyboard', quantity: 1, unitPriceCents: 12_999 }], totalCents: 12_999 },
  { items: [{ sku: 'coffee', quantity: 3, unitPriceCents: 1_199 }, { sku: 'mug', quantity: 1, unitPriceCents: 850 }], totalCents: 4_447 },
];

// The shop steps several scenes (and --serve) share: creating the customers
// and placing orders for them.
import { codeName, isTuskError } from 'tusk-grpc';
import type { User } from '../../gen/user/v1/user.js';
import { describeError, dollars, expectFailure, heading, line } from './print.js';
import { SAMPLE_BASKETS, SAMPLE_USERS } from './sample-data.js';
import { check, type DemoServices } from './scene.js';

const count = (names: readonly string[]) => names.reduce((counts, name) => counts.set(name, (counts.get(name) ?? 0) + 1), new Map<string, number>());
export const spread = (names: readonly string[]) => [...count(names)].sort().map(([name, calls]) => `${name} ${calls}`).join(', ');

export async function createUsers({ users }: DemoServices): Promise<User[]> {
  heading('Creating users (CreateUser, balanced over the user instances; each publishes UserCreated)');
  const created: User[] = [];
  for (const sample of SAMPLE_USERS) {
    const { user, servedBy } = await users.createUser(sample);
    check(user !== undefined, 'CreateUser returns the user');
    created.push(user);
    line(`${user.name.padEnd(13)} ${user.id}  stored by ${servedBy}`);
  }
  const invalid = await expectFailure(() => users.createUser({ name: ' ', email: 'not-an-email' }));
  check(isTuskError(invalid) && codeName(invalid.code) === 'INVALID_ARGUMENT', 'a bad user is INVALID_ARGUMENT');
  line(`bad input → ${describeError(invalid)}`);
  return created;
}

/** `rounds` orders over the customers and baskets; returns the user instance that checked each. */
export async function placeOrders({ orders }: DemoServices, customers: readonly User[], rounds: number): Promise<string[]> {
  const servedBy: string[] = [];
  for (let index = 0; index < rounds; index++) {
    const customer = customers[index % customers.length]!;
    const basket = SAMPLE_BASKETS[index % SAMPLE_BASKETS.length]!;
    const { order, userServedBy } = await orders.createOrder({ userId: customer.id, items: basket.items });
    check(order?.totalCents === basket.totalCents, `order total ${order?.totalCents} is ${basket.totalCents}`);
    servedBy.push(userServedBy);
    line(`${order.id.padEnd(5)} ${customer.name.padEnd(13)} ${String(basket.items.length)} item(s) ${dollars(order.totalCents).padStart(9)}   user checked by ${userServedBy}`);
  }
  line(`user checks per instance: ${spread(servedBy)}`);
  return servedBy;
}

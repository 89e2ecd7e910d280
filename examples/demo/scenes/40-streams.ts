// Server streams and a client stream.
import { orderStatusToJSON } from '../../../gen/order/v1/order.js';
import { dollars, heading, line } from '../print.js';
import { check, type DemoScene } from '../scene.js';

async function* newcomers() {
  yield { name: 'Linus Torvalds', email: 'linus@example.com' };
  yield { name: 'Duplicate Ada', email: 'ada@example.com' };
  yield { name: 'Margaret Hamilton', email: 'margaret@example.com' };
}

export default {
  async run({ users, orders, customers }) {
    heading('Streaming (server streams and a client stream)');
    const listed: string[] = [];
    for await (const { user } of users.listUsers({ limit: 0 })) listed.push(user?.name ?? '?');
    check(customers.every((customer, index) => listed[index] === customer.name), 'ListUsers streams in creation order');
    line(`ListUsers: ${listed.join(', ')}`);

    const imported = await users.importUsers(newcomers());
    check(imported.imported === 2 && imported.rejectedEmails[0] === 'ada@example.com', 'ImportUsers keeps 2 and rejects the duplicate');
    line(`ImportUsers: ${imported.imported} imported, rejected ${imported.rejectedEmails.join(', ')}`);

    const first = customers[0]!;
    const theirs: string[] = [];
    for await (const { order } of orders.listOrdersByUser({ userId: first.id })) theirs.push(`${order?.id} (${dollars(order?.totalCents ?? 0n)})`);
    line(`ListOrdersByUser(${first.name}): ${theirs.join(', ')}`);

    const orderId = theirs[0]!.split(' ')[0]!;
    const statuses: string[] = [];
    for await (const change of orders.watchOrderStatus({ id: orderId })) statuses.push(orderStatusToJSON(change.status).replace('ORDER_STATUS_', ''));
    check(statuses.join() === 'PLACED,PAID,SHIPPED,DELIVERED', 'WatchOrderStatus runs PLACED → DELIVERED');
    line(`WatchOrderStatus(${orderId}): ${statuses.join(' → ')}`);
  },
} satisfies DemoScene;

// Orders: the order service checks each user through its generated UserService client.
import { heading, line } from '../print.js';
import { SAMPLE_BASKETS } from '../sample-data.js';
import { check, type DemoScene } from '../scene.js';
import { placeOrders, spread } from '../shop.js';

export default {
  async run(context) {
    const { customers, orders, userInstances } = context;
    heading('Placing orders (the order service checks each user through its generated UserService client)');
    const servedBy = await placeOrders(context, customers, 6);
    // The balancer decides the spread; with round_robin (order.tsk's [dependencies]) 6 calls always reach both.
    for (let extra = 0; extra < 30 && new Set(servedBy).size < userInstances.length; extra++) {
      servedBy.push((await orders.createOrder({ userId: customers[0]!.id, items: SAMPLE_BASKETS[0]!.items })).userServedBy);
    }
    if (servedBy.length > 6) line(`placed ${servedBy.length - 6} more orders until both instances had served: ${spread(servedBy)}`);
    const instances = new Set(servedBy);
    check(userInstances.every((instance) => instances.has(instance.name)), 'both user instances checked users');
  },
} satisfies DemoScene;

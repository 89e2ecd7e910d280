// One trace across services: the order service's call to the user service.
import { logLinesWith } from '../../shared/service-process.js';
import { waitUntil } from '../../shared/wait.js';
import { heading, line } from '../print.js';
import { SAMPLE_BASKETS } from '../sample-data.js';
import { check, type DemoScene } from '../scene.js';

export default {
  async run({ orders, userInstances, customers }) {
    const customer = customers[1]!;
    heading('One trace across services');
    const { order, traceId, userServedBy } = await orders.createOrder({ userId: customer.id, items: SAMPLE_BASKETS[0]!.items });
    check(traceId.length === 32, 'the order service saw a trace id');
    line(`order service: ${order?.id} created under trace_id ${traceId}`);
    const checker = userInstances.find((instance) => instance.name === userServedBy);
    check(checker !== undefined, `the user instance ${userServedBy} is one of ours`);
    // The user service logs every GetUser with the trace id its call context carries.
    await waitUntil(() => logLinesWith(checker, { msg: 'get user', trace_id: traceId }).length > 0, 5_000, `${checker.name} to log trace ${traceId}`);
    line(`${checker.name} logged GetUser(${customer.id}) with trace_id ${traceId}: same trace`);
  },
} satisfies DemoScene;

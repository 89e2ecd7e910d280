// A user instance dies without a goodbye; retries carry the orders over to the other.
import { heading, line } from '../print.js';
import { check, type DemoScene } from '../scene.js';
import { placeOrders } from '../shop.js';

export default {
  async run(context) {
    const [victim, survivor] = context.userInstances;
    heading(`Killing ${victim!.name} (SIGKILL: no goodbye, its registration goes stale)`);
    await victim!.kill();
    line(`${victim!.name} is gone; placing orders anyway`);
    const servedBy = await placeOrders(context, context.customers, 6);
    check(servedBy.every((name) => name === survivor!.name), `every order after the kill was checked by ${survivor!.name}`);
    line(`all 6 orders placed: retries moved the calls that picked ${victim!.name} over to ${survivor!.name}`);
  },
} satisfies DemoScene;

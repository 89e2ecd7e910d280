// Errors map to gRPC status codes, with their details.
import { codeName, isTuskError } from 'tusk-grpc';
import { describeError, expectFailure, heading, line } from '../print.js';
import { SAMPLE_BASKETS } from '../sample-data.js';
import { check, type DemoScene } from '../scene.js';

export default {
  async run({ users, orders }) {
    heading('Errors map to gRPC status codes');
    const missingUser = await expectFailure(() => users.getUser({ id: 'u_missing' }));
    check(isTuskError(missingUser) && codeName(missingUser.code) === 'NOT_FOUND', 'an unknown user is NOT_FOUND');
    line(`GetUser(u_missing) → ${describeError(missingUser)}`);
    const orphan = await expectFailure(() => orders.createOrder({ userId: 'u_missing', items: SAMPLE_BASKETS[1]!.items }));
    check(isTuskError(orphan) && codeName(orphan.code) === 'FAILED_PRECONDITION', 'an order for an unknown user is FAILED_PRECONDITION');
    line(`CreateOrder(user u_missing) → ${describeError(orphan)}`);
    const missingOrder = await expectFailure(() => orders.getOrder({ id: 'o_999' }));
    check(isTuskError(missingOrder) && codeName(missingOrder.code) === 'NOT_FOUND', 'an unknown order is NOT_FOUND');
    line(`GetOrder(o_999) → ${describeError(missingOrder)}`);
  },
} satisfies DemoScene;

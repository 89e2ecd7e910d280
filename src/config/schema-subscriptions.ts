import { DEFAULT_ACK_WAIT_MS, DEFAULT_BACKOFF_MS, DEFAULT_CONCURRENCY, DEFAULT_MAX_DELIVER } from '../events/delivery.js';
import { GROUP_NAME } from '../events/options-check.js';
import { formatDuration } from './durations.js';
import { messageNameLeaf } from './schema-events.js';
import type { MapSpec } from './schema-types.js';

/**
 * `[subscriptions]`: the events a service handles, one block per handler. The
 * block name is the handler method of the generated base
 * (`onUserCreated { event: "user.v1.UserCreated", group: "notifications" }`);
 * the rules across blocks and against the protos are in validate-events.ts.
 */
export const SUBSCRIPTIONS_SECTION: MapSpec = {
  kind: 'map',
  entryName: 'subscription',
  meaning: 'events this service handles, keyed by handler method name (an abstract `(event, ctx: EventContext) => Promise<void>` on the generated base)',
  entry: {
    kind: 'block',
    meaning: 'one handler: the event it takes, its consumer group and its delivery policy',
    keys: {
      event: messageNameLeaf({ required: true, example: '"order.v1.OrderPlaced"', meaning: 'full name of the proto message handled' }),
      group: {
        kind: 'leaf', type: { kind: 'string', nonEmpty: true }, required: true,
        check: (value) => (GROUP_NAME.test(value as string) ? undefined : 'is not a consumer group name (letters, digits, "-" and "_": it names a JetStream durable consumer)'),
        example: '"notifications"',
        meaning: 'consumer group: every group gets every event, and within a group each event goes to one instance; one group handles one event type',
      },
      max_deliver: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: DEFAULT_MAX_DELIVER, example: '10', meaning: 'handler attempts before the event goes to `<prefix>.dlq.<message>`' },
      backoff: {
        kind: 'leaf', type: { kind: 'duration' }, list: true, default: DEFAULT_BACKOFF_MS.map(formatDuration), example: '["1s", "5s"]',
        meaning: 'delay before the next attempt after a handler threw, by attempt; the last entry repeats',
      },
      ack_wait: {
        kind: 'leaf', type: { kind: 'duration', minMs: 100 }, default: formatDuration(DEFAULT_ACK_WAIT_MS), example: '"1m"',
        meaning: 'a delivery not acknowledged within this is redelivered; a running handler is kept alive with in-progress acks',
      },
      concurrency: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: DEFAULT_CONCURRENCY, example: '4', meaning: 'handlers of this subscription running at once in one instance' },
    },
  },
};

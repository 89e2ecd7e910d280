// The provider-independent policy of one delivery (delivery.ts) and the
// argument checks, on a recorded fake delivery: pure logic, no broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { User } from '../../../gen/user/v1/user.js';
import { backoffFor, handleDelivery, type Delivery } from '../../../src/events/delivery.js';
import { NO_EVENT_METRICS } from '../../../src/events/event-metrics.js';
import { checkSubscribeOptions, redactServers } from '../../../src/events/options-check.js';
import { eventType } from '../../../src/events/index.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { createLogger } from '../../../src/telemetry/logger.js';

const type = eventType('user.v1.User', User);
const logger = createLogger({ level: 'silent' });

function fakeDelivery(attempt: number, data: Uint8Array, headers: Record<string, string> = { 'tusk-event-type': 'user.v1.User', 'nats-msg-id': 'e1' }) {
  const outcome: string[] = [];
  const delivery: Delivery = {
    data, headers, subjectType: 'user.v1.User', attempt, publishedAt: new Date(0),
    ack: async () => void outcome.push('ack'),
    retryAfter: async (delayMs) => void outcome.push(`retry ${delayMs}`),
    working: () => undefined,
    deadLetter: async (typeName, error) => void outcome.push(`dlq ${typeName}: ${error}`),
  };
  return { delivery, outcome };
}
const policy = (handler: () => Promise<void>, maxDeliver = 3) => ({ group: 'g', type, handler, maxDeliver, backoffMs: [100, 500], ackWaitMs: 30_000, observer: NO_EVENT_METRICS });
const good = User.encode({ id: 'u', name: 'n', email: 'e', createdAt: undefined }).finish();

test('backoff: entry n-1 before attempt n+1, the last one repeating', () => {
  assert.deepEqual([1, 2, 3, 9].map((attempt) => backoffFor([100, 500], attempt)), [100, 500, 500, 500]);
  assert.equal(backoffFor([], 4), 0);
});

test('a resolving handler acks; a throwing one retries after the backoff, and on the last attempt dead-letters with its message', async () => {
  const ok = fakeDelivery(1, good);
  await handleDelivery(ok.delivery, policy(async () => undefined), logger);
  assert.deepEqual(ok.outcome, ['ack']);
  const failing = async (): Promise<void> => { throw new Error('db down'); };
  const second = fakeDelivery(2, good);
  await handleDelivery(second.delivery, policy(failing), logger);
  assert.deepEqual(second.outcome, ['retry 500']);
  const last = fakeDelivery(3, good);
  await handleDelivery(last.delivery, policy(failing), logger);
  assert.deepEqual(last.outcome, ['dlq user.v1.User: db down']);
});

test('a delivery beyond max_deliver (an earlier attempt never answered) is dead-lettered without running the handler', async () => {
  let ran = false;
  const late = fakeDelivery(4, good);
  await handleDelivery(late.delivery, policy(async () => { ran = true; }), logger);
  assert.equal(ran, false);
  assert.match(late.outcome[0]!, /^dlq user\.v1\.User: not acknowledged after 3 deliveries/);
});

test('without tusk-event-type the subject names the type; a different one is dead-lettered under its own name', async () => {
  const bare = fakeDelivery(1, good, {});
  await handleDelivery(bare.delivery, policy(async () => undefined), logger);
  assert.deepEqual(bare.outcome, ['ack']);
  const other = fakeDelivery(1, good, { 'tusk-event-type': 'x.v1.Other' });
  await handleDelivery(other.delivery, policy(async () => undefined), logger);
  assert.match(other.outcome[0]!, /^dlq x\.v1\.Other: unknown tusk-event-type "x\.v1\.Other": group g handles user\.v1\.User$/);
});

test('a failing ack or dead letter is logged, never thrown (the broker redelivers after ack_wait)', async () => {
  const { delivery } = fakeDelivery(1, good);
  await handleDelivery({ ...delivery, ack: async () => { throw new Error('connection lost'); } }, policy(async () => undefined), logger);
});

test('subscribe options: bad group, type name, counts and delays are INVALID_ARGUMENT naming the value', () => {
  const base = { group: 'g', type, handler: async () => undefined };
  const rejects = (options: object, pattern: RegExp) =>
    assert.throws(() => checkSubscribeOptions({ ...base, ...options }), (error: unknown) => error instanceof TuskError && error.code === Code.INVALID_ARGUMENT && pattern.test(error.message));
  rejects({ group: 'a.b' }, /consumer group "a\.b"/);
  rejects({ type: eventType('events.>', User) }, /not a full proto message name/);
  rejects({ maxDeliver: 0 }, /maxDeliver 0/);
  rejects({ concurrency: 1.5 }, /concurrency 1\.5/);
  rejects({ backoffMs: [100, -1] }, /backoffMs \[100, -1\]/);
  rejects({ ackWaitMs: 10 }, /ackWaitMs 10/);
  checkSubscribeOptions(base);
});

test('server addresses in messages never show credentials', () => {
  assert.equal(redactServers(['nats://alice:s3cret@10.0.0.1:4222', 'bob:pw@10.0.0.2:4222', '10.0.0.3:4222']), 'nats://<hidden>@10.0.0.1:4222, <hidden>@10.0.0.2:4222, 10.0.0.3:4222');
});

// [events] publishes and [subscriptions]: defaults, and file:line:col errors with did-you-mean.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue, resolveDescriptor, validateDescriptorDocument, type ProtoFileInfo } from '../../../src/config/index.js';
import { parseTsk } from '../../../src/tsk/index.js';

const PROTO: ProtoFileInfo = { file: 'shop/v1/shop.proto', services: [{ name: 'shop.v1.Shop', methods: [{ name: 'CreateUser', kind: 'unary' }] }] };
const MESSAGES = ['user.v1.UserCreated', 'order.v1.OrderPlaced', 'billing.v2.UserCreated'];

const issues = (text: string): string[] => validateDescriptorDocument(parseTsk(text, 'shop.tsk'), PROTO, { knownMessages: MESSAGES }).errors.map(formatIssue);

test('a subscription resolves with the delivery defaults of the runtime; publishes defaults to none', () => {
  const text = '[events]\npublishes: ["user.v1.UserCreated"]\n[subscriptions]\nonOrderPlaced { event: "order.v1.OrderPlaced", group: "mail" }\n';
  const validation = validateDescriptorDocument(parseTsk(text, 'shop.tsk'), PROTO, { knownMessages: MESSAGES });
  assert.deepEqual(validation.errors, []);
  const resolved = resolveDescriptor(validation.raw!, 'shop.tsk', 'shop.v1.Shop', {});
  assert.deepEqual(resolved.events.publishes, ['user.v1.UserCreated']);
  assert.deepEqual(resolved.subscriptions, { onOrderPlaced: { event: 'order.v1.OrderPlaced', group: 'mail', maxDeliver: 5, backoffMs: [1000, 5000, 30_000], ackWaitMs: 30_000, concurrency: 16 } });
  assert.deepEqual(resolveDescriptor({}, null, 'shop.v1.Shop', {}).events.publishes, []);
});

test('an unknown message is an error at the string, with a did-you-mean', () => {
  const found = issues('[events]\npublishes: ["user.v1.UserCreatd"]\n[subscriptions]\nonPlaced { event: "order.v1.OrderPlacd", group: "g" }\n');
  assert.ok(found.includes('shop.tsk:2:13: unknown message "user.v1.UserCreatd" in [events] publishes (did you mean "user.v1.UserCreated"?): no proto the generator reads declares it'), found.join('\n'));
  assert.ok(found.some((line) => line.startsWith('shop.tsk:4:19: unknown message "order.v1.OrderPlacd" in [subscriptions] onPlaced.event (did you mean "order.v1.OrderPlaced"?)')), found.join('\n'));
});

test('schema errors: a missing group, a bad group name, a misspelt key, a short ack_wait', () => {
  const found = issues('[subscriptions]\nonA { event: "user.v1.UserCreated" }\nonB { event: "user.v1.UserCreated", group: "a.b" }\nonC { event: "user.v1.UserCreated", group: "c", max_delivr: 3, ack_wait: "10ms" }\n');
  assert.ok(found.some((line) => /^shop\.tsk:2:1: \[subscriptions\] onA: missing key "group"/.test(line)), found.join('\n'));
  assert.ok(found.some((line) => /^shop\.tsk:3:\d+: .*"a\.b" is not a consumer group name/.test(line)), found.join('\n'));
  assert.ok(found.some((line) => /^shop\.tsk:4:\d+: unknown key "max_delivr".*did you mean "max_deliver"/.test(line)), found.join('\n'));
  assert.ok(found.some((line) => /^shop\.tsk:4:\d+: \[subscriptions\] onC\.ack_wait: /.test(line)), found.join('\n'));
});

test('handler names: an RPC, a ServiceBase member, a non-identifier and a publisher are refused', () => {
  const found = issues('[events]\npublishes: ["user.v1.UserCreated"]\n[subscriptions]\ncreateUser { event: "user.v1.UserCreated", group: "a" }\nclientOf { event: "user.v1.UserCreated", group: "b" }\non-x { event: "user.v1.UserCreated", group: "c" }\npublishUserCreated { event: "user.v1.UserCreated", group: "d" }\n');
  assert.ok(found.includes('shop.tsk:4:1: [subscriptions] createUser: the handler name clashes with the RPC CreateUser on the generated base'), found.join('\n'));
  assert.ok(found.includes('shop.tsk:5:1: [subscriptions] clientOf: the handler name is a member every service already has'), found.join('\n'));
  assert.ok(found.some((line) => line.startsWith('shop.tsk:6:1: [subscriptions] on-x: the handler name is not a method name')), found.join('\n'));
  assert.ok(found.includes('shop.tsk:7:1: [subscriptions] publishUserCreated: the handler name clashes with the publisher of user.v1.UserCreated'), found.join('\n'));
});

test('a group used twice, a message published twice, two publishers of one name and an @env name are refused', () => {
  const found = issues([
    '[events]',
    'publishes: ["user.v1.UserCreated", "user.v1.UserCreated", "billing.v2.UserCreated", @env("EVENT", "order.v1.OrderPlaced")]',
    '[subscriptions]',
    'onA { event: "user.v1.UserCreated", group: "mail" }',
    'onB { event: "order.v1.OrderPlaced", group: "mail" }',
    'onC { event: @env("TYPE", "order.v1.OrderPlaced"), group: "other" }',
  ].join('\n'));
  assert.ok(found.some((line) => line.startsWith('shop.tsk:2:36: [events] publishes: user.v1.UserCreated is listed twice')), found.join('\n'));
  assert.ok(found.some((line) => line.startsWith('shop.tsk:2:59: [events] publishes: billing.v2.UserCreated and user.v1.UserCreated would both be published by publishUserCreated()')), found.join('\n'));
  assert.ok(found.some((line) => /^shop\.tsk:2:\d+: \[events\] publishes: must be a plain string, not @env/.test(line)), found.join('\n'));
  assert.ok(found.some((line) => line.startsWith('shop.tsk:5:45: [subscriptions] onB.group: "mail" is already the group of onA')), found.join('\n'));
  assert.ok(found.some((line) => /^shop\.tsk:6:\d+: \[subscriptions\] onC\.event: must be a plain string, not @env/.test(line)), found.join('\n'));
});

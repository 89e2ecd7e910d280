// The delivery semantics every provider must have, written once and run
// against each (nats-broker.test.ts, local-broker.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context as otelContext, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { Registry } from 'prom-client';
import { User } from '../../../gen/user/v1/user.js';
import { eventType, type EventBroker, type EventContext, type EventType } from '../../../src/events/index.js';
import { waitUntil } from '../../helpers/wait.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { spawnConsumerProcess } from '../../helpers/event-consumer-process.js';
import type { EventBrokerConfig } from '../../../src/config/types.js';

export interface StoredMessage {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
}

export interface BrokerHarness {
  /** The config a consumer in another process uses to reach the same broker. */
  config(): EventBrokerConfig;
  /** A new broker (its own connection) for one service instance. */
  open(source: string, metricsRegistry?: Registry): Promise<EventBroker>;
  /** Writes a message on the wire without tusk's publish (bad input). */
  publishRaw(subject: string, data: Uint8Array, headers: Record<string, string>): Promise<void>;
  /** Events of the subject the group has not acked yet. */
  unacked(group: string, subject: string): Promise<number>;
  /** What the stream holds on a subject, oldest first. */
  read(subject: string): Promise<StoredMessage[]>;
}

let typeCounter = 0;
/** Each test gets its own subject (its own message name), so tests sharing one broker never see each other's events. */
export function freshType(label: string): EventType<User> {
  typeCounter += 1;
  return eventType(`test.v1.${label}${typeCounter}`, User);
}

export const user = (id: string): User => ({ id, name: `name-${id}`, email: `${id}@example.test`, createdAt: new Date(1_700_000_000_000) });
const WAIT_MS = 20_000;
const POLL = { intervalMs: 20 } as const;

export function brokerSemantics(harness: () => BrokerHarness): void {
  test('two groups both get every event; two instances of one group share them, each event once', async () => {
    const h = harness();
    const type = freshType('Groups');
    const [a1, a2, b1, publisher] = await Promise.all([h.open('a1'), h.open('a2'), h.open('b1'), h.open('publisher')]);
    try {
      const seen = { a1: [] as string[], a2: [] as string[], b1: [] as string[] };
      const slowHandler = (into: string[]) => async (event: User) => {
        into.push(event.id);
        await new Promise((resolve) => setTimeout(resolve, 15)); // lets the other instance take the next one
      };
      await a1.subscribe({ group: 'groups-a', type, handler: slowHandler(seen.a1), concurrency: 1 });
      await a2.subscribe({ group: 'groups-a', type, handler: slowHandler(seen.a2), concurrency: 1 });
      await b1.subscribe({ group: 'groups-b', type, handler: slowHandler(seen.b1) });
      const ids = Array.from({ length: 30 }, (_, index) => `g${index}`);
      for (const id of ids) await publisher.publish(type, user(id));
      await waitUntil(() => seen.a1.length + seen.a2.length >= ids.length && seen.b1.length >= ids.length, WAIT_MS, 'both groups to get all events', POLL);
      assert.deepEqual([...seen.a1, ...seen.a2].sort(), [...ids].sort(), 'group a got each event exactly once');
      assert.deepEqual([...seen.b1].sort(), [...ids].sort(), 'group b got every event');
      assert.ok(seen.a1.length > 0 && seen.a2.length > 0, `both instances of group a got events (${seen.a1.length} / ${seen.a2.length})`);
    } finally {
      await Promise.all([a1, a2, b1, publisher].map((broker) => broker.close()));
    }
  });

  test('the handler gets the event and its context; a repeated event id is a duplicate, handled once', async () => {
    const h = harness();
    const type = freshType('Context');
    const broker = await h.open('ctx-service');
    try {
      const contexts: EventContext[] = [];
      const events: User[] = [];
      await broker.subscribe({ group: 'ctx', type, handler: async (event, ctx) => { events.push(event); contexts.push(ctx); } });
      const before = Date.now();
      const first = await broker.publish(type, user('c1'), { eventId: 'fixed-id-1' });
      const again = await broker.publish(type, user('c1'), { eventId: 'fixed-id-1' });
      assert.equal(first.duplicate, false);
      assert.equal(again.duplicate, true);
      await waitUntil(() => events.length >= 1, WAIT_MS, 'the first event', POLL);
      const second = await broker.publish(type, user('c2'));
      await waitUntil(() => events.length >= 2, WAIT_MS, 'the second event', POLL);
      assert.deepEqual(events.map((event) => event.id), ['c1', 'c2']);
      assert.deepEqual(events[0], user('c1'));
      const ctx = contexts[0]!;
      assert.equal(ctx.eventId, 'fixed-id-1');
      assert.equal(contexts[1]!.eventId, second.eventId);
      assert.equal(ctx.attempt, 1);
      assert.equal(ctx.source, 'ctx-service');
      assert.equal(ctx.type, type.fullName);
      assert.ok(ctx.publishedAt.getTime() >= before - 1000 && ctx.publishedAt.getTime() <= Date.now() + 1000, 'publishedAt is the publish time');
    } finally {
      await broker.close();
    }
  });

  test('a throwing handler gets the event again after the backoff, with the next attempt number', async () => {
    const h = harness();
    const type = freshType('Redeliver');
    const broker = await h.open('redeliver');
    try {
      const attempts: number[] = [];
      let handled = 0;
      await broker.subscribe({
        group: 'redeliver', type, backoffMs: [100], maxDeliver: 5,
        handler: async (_event, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt < 3) throw new Error(`transient failure ${ctx.attempt}`);
          handled += 1;
        },
      });
      await broker.publish(type, user('r1'));
      await waitUntil(() => handled === 1, WAIT_MS, 'the third attempt to succeed', POLL);
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.deepEqual(await h.read(`events.dlq.${type.fullName}`), [], 'nothing was dead-lettered');
    } finally {
      await broker.close();
    }
  });

  test('after max_deliver failed attempts the event goes to the DLQ subject with tusk-error and tusk-deliveries', async () => {
    const h = harness();
    const type = freshType('Poison');
    const broker = await h.open('poison-source');
    try {
      let calls = 0;
      await broker.subscribe({ group: 'poison', type, maxDeliver: 3, backoffMs: [50], handler: async () => { calls += 1; throw new Error('cannot handle this one'); } });
      const { eventId } = await broker.publish(type, user('p1'));
      const dlqSubject = `events.dlq.${type.fullName}`;
      await waitUntil(async () => (await h.read(dlqSubject)).length === 1, WAIT_MS, 'one dead letter', POLL);
      const [dead] = await h.read(dlqSubject);
      assert.equal(calls, 3);
      assert.equal(dead!.headers['tusk-error'], 'cannot handle this one');
      assert.equal(dead!.headers['tusk-deliveries'], '3');
      assert.equal(dead!.headers['tusk-event-type'], type.fullName);
      assert.equal(dead!.headers['tusk-source'], 'poison-source');
      assert.ok(dead!.headers['nats-msg-id']?.startsWith(eventId), 'the dead letter names the event id');
      assert.deepEqual(User.decode(dead!.data), user('p1'));
    } finally {
      await broker.close();
    }
  });

  test('an undecodable payload and an unknown tusk-event-type are dead-lettered; the consumer keeps going', async () => {
    const h = harness();
    const type = freshType('BadInput');
    const broker = await h.open('bad-input');
    try {
      const handled: string[] = [];
      await broker.subscribe({ group: 'bad-input', type, handler: async (event) => { handled.push(event.id); } });
      await h.publishRaw(`events.${type.fullName}`, new Uint8Array([0xff, 0xff, 0xff, 0xff]), { 'Nats-Msg-Id': 'garbage-1', 'tusk-event-type': type.fullName });
      await h.publishRaw(`events.${type.fullName}`, User.encode(user('x')).finish(), { 'Nats-Msg-Id': 'unknown-1', 'tusk-event-type': 'nope.v1.Unknown' });
      await broker.publish(type, user('after-bad-input'));
      await waitUntil(() => handled.length === 1, WAIT_MS, 'the event after the bad input', POLL);
      assert.deepEqual(handled, ['after-bad-input']);
      await waitUntil(async () => (await h.read(`events.dlq.${type.fullName}`)).length === 1 && (await h.read('events.dlq.nope.v1.Unknown')).length >= 1, WAIT_MS, 'both dead letters', POLL);
      const [undecodable] = await h.read(`events.dlq.${type.fullName}`);
      assert.match(undecodable!.headers['tusk-error']!, /^undecodable payload for test\.v1\.BadInput\d+: /);
      assert.equal(undecodable!.headers['tusk-deliveries'], '1');
      const unknown = (await h.read('events.dlq.nope.v1.Unknown')).find((message) => message.headers['nats-msg-id']?.startsWith('unknown-1'));
      assert.ok(unknown, 'the unknown type is dead-lettered under its own name');
      assert.match(unknown.headers['tusk-error']!, /unknown tusk-event-type "nope\.v1\.Unknown"/);
    } finally {
      await broker.close();
    }
  });

  test('close() waits for a running handler, whose event is then acked (not left for redelivery)', async () => {
    const h = harness();
    const type = freshType('Drain');
    const broker = await h.open('drain');
    let finished = 0;
    let started = 0;
    await broker.subscribe({ group: 'drain', type, handler: async () => { started += 1; await new Promise((resolve) => setTimeout(resolve, 300)); finished += 1; } });
    await broker.publish(type, user('d1'));
    await waitUntil(() => started === 1, WAIT_MS, 'the handler to start', POLL);
    await broker.close();
    assert.equal(finished, 1, 'close() returned only after the handler ended');
    // The ack left before close() resolved; the broker may apply it a moment later (ack_wait is 30 s, so 0 can only mean acked).
    await waitUntil(async () => (await h.unacked('drain', `events.${type.fullName}`)) === 0, WAIT_MS, 'the drained event to be acked', POLL);
  });

  test('a consumer killed with -9 mid-handler: the event goes to another instance after ack_wait and is processed completely once', async () => {
    const h = harness();
    const type = freshType('Killed');
    const ackWaitMs = 1000;
    const doomed = await spawnConsumerProcess({ TEST_EVENTS_CONFIG: JSON.stringify(h.config()), TEST_EVENT_TYPE: type.fullName, TEST_GROUP: 'killed', TEST_ACK_WAIT_MS: String(ackWaitMs) });
    const broker = await h.open('survivor');
    try {
      const { eventId } = await broker.publish(type, user('k1'));
      const handling = await doomed.waitFor('handling');
      assert.deepEqual([handling.id, handling.attempt], ['k1', 1]);
      await doomed.kill();
      // Completed runs per event id: what an application's idempotency check would see.
      const processed = new Map<string, number>();
      const attempts: number[] = [];
      await broker.subscribe({
        group: 'killed', type, ackWaitMs,
        handler: async (_event, ctx) => {
          attempts.push(ctx.attempt);
          processed.set(ctx.eventId, (processed.get(ctx.eventId) ?? 0) + 1);
        },
      });
      await waitUntil(() => processed.has(eventId), WAIT_MS, 'the survivor to process the event', POLL);
      assert.deepEqual(attempts, [2], 'the survivor got the killed attempt\'s event as attempt 2');
      assert.equal(processed.get(eventId), 1);
      await waitUntil(async () => (await h.unacked('killed', `events.${type.fullName}`)) === 0, WAIT_MS, 'the event to be acked', POLL);
    } finally {
      await doomed.kill();
      await broker.close();
    }
  });

  test('a handler running longer than ack_wait is kept alive with in-progress acks: no redelivery meanwhile', async () => {
    const h = harness();
    const type = freshType('LongHandler');
    const [first, second] = await Promise.all([h.open('long-1'), h.open('long-2')]);
    try {
      const attempts: number[] = [];
      let finished = 0;
      const handler = async (_event: User, ctx: EventContext): Promise<void> => {
        attempts.push(ctx.attempt);
        await new Promise((resolve) => setTimeout(resolve, 3000)); // three ack_waits
        finished += 1;
      };
      await first.subscribe({ group: 'long', type, ackWaitMs: 1000, handler });
      await second.subscribe({ group: 'long', type, ackWaitMs: 1000, handler });
      await first.publish(type, user('l1'));
      await waitUntil(() => finished === 1, WAIT_MS, 'the long handler to finish', POLL);
      await waitUntil(async () => (await h.unacked('long', `events.${type.fullName}`)) === 0, WAIT_MS, 'the event to be acked', POLL);
      assert.deepEqual(attempts, [1], 'delivered once, to one instance, although it outlived ack_wait');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('trace: the publish span is a child of the caller\'s span, the handler span a child of the publish span (traceparent header)', async () => {
    const h = harness();
    const type = freshType('Traced');
    const exporter = new tracing.InMemorySpanExporter();
    const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
    provider.register();
    const broker = await h.open('traced');
    try {
      const seen: EventContext[] = [];
      await broker.subscribe({ group: 'traced', type, handler: async (_event, ctx) => { seen.push(ctx); } });
      const caller = provider.getTracer('test').startSpan('caller');
      await otelContext.with(trace.setSpan(otelContext.active(), caller), () => broker.publish(type, user('t1')));
      caller.end();
      await waitUntil(() => seen.length === 1 && exporter.getFinishedSpans().some((span) => span.name.endsWith(' process')), WAIT_MS, 'the traced event', POLL);
      const spans = exporter.getFinishedSpans();
      const publish = spans.find((span) => span.name === `${type.fullName} publish`)!;
      const processSpan = spans.find((span) => span.name === `${type.fullName} process`)!;
      const traceId = caller.spanContext().traceId;
      assert.equal(publish.spanContext().traceId, traceId);
      assert.equal(publish.parentSpanContext?.spanId, caller.spanContext().spanId);
      assert.equal(processSpan.spanContext().traceId, traceId, 'one trace from the call to the handler');
      assert.equal(processSpan.parentSpanContext?.spanId, publish.spanContext().spanId);
      assert.equal(seen[0]!.trace.traceId, traceId);
      const [stored] = await h.read(`events.${type.fullName}`);
      assert.match(stored!.headers.traceparent!, new RegExp(`^00-${traceId}-${publish.spanContext().spanId}-01$`));
    } finally {
      await broker.close();
      await provider.shutdown();
      trace.disable();
      otelContext.disable();
    }
  });

  test('metrics: published, delivered, redelivered, acked and dead-lettered counts, handler duration, pending per group', async () => {
    const h = harness();
    const type = freshType('Metered');
    const registry = new Registry();
    const broker = await h.open('metered', registry);
    try {
      let settled = 0;
      await broker.subscribe({
        group: 'metered', type, maxDeliver: 2, backoffMs: [50],
        handler: async (event) => {
          settled += 1;
          if (event.id === 'poison') throw new Error('always fails');
        },
      });
      await broker.publish(type, user('fine'));
      await broker.publish(type, user('poison'));
      const value = async (name: string, labels: Record<string, string>): Promise<number | undefined> => {
        // A histogram's samples live under its base name, each with its own metricName (…_count, …_sum).
        const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name || name === `${candidate.name}_count`);
        return metric?.values.find((sample) => ((sample as { metricName?: string }).metricName ?? metric.name) === name
          && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;
      };
      const labels = { group: 'metered', event_type: type.fullName };
      // Counted once each delivery is settled (after its ack or dead letter), so wait on the counters themselves.
      await waitUntil(async () => (await value('tusk_events_settled_total', { ...labels, outcome: 'acked' })) === 1
        && (await value('tusk_events_settled_total', { ...labels, outcome: 'dead_lettered' })) === 1, WAIT_MS, 'one acked and one dead-lettered event', POLL);
      assert.equal(settled, 3, 'the handler ran for the fine event and twice for the poison one');
      assert.equal(await value('tusk_events_published_total', { event_type: type.fullName, outcome: 'stored' }), 2);
      assert.equal(await value('tusk_events_delivered_total', labels), 3);
      assert.equal(await value('tusk_events_redelivered_total', labels), 1);
      assert.equal(await value('tusk_events_settled_total', { ...labels, outcome: 'acked' }), 1);
      assert.equal(await value('tusk_events_settled_total', { ...labels, outcome: 'retried' }), 1);
      assert.equal(await value('tusk_events_settled_total', { ...labels, outcome: 'dead_lettered' }), 1);
      assert.equal(await value('tusk_events_handler_duration_seconds_count', { ...labels, outcome: 'acked' }), 1);
      await waitUntil(async () => (await value('tusk_events_consumer_pending', labels)) === 0, WAIT_MS, 'no pending events', POLL);
    } finally {
      await broker.close();
    }
  });

  test('one group handles one event type: subscribing it to a second type is FAILED_PRECONDITION', async () => {
    const h = harness();
    const [first, second] = [freshType('GroupFirst'), freshType('GroupSecond')];
    const broker = await h.open('one-type');
    try {
      await broker.subscribe({ group: 'one-type', type: first, handler: async () => undefined });
      await assert.rejects(
        broker.subscribe({ group: 'one-type', type: second, handler: async () => undefined }),
        (error: unknown) => error instanceof TuskError && error.code === Code.FAILED_PRECONDITION && error.message.includes(`already consumes events.${first.fullName}`),
      );
    } finally {
      await broker.close();
    }
  });
}

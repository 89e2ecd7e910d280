// The `nats` provider against a real nats-server -js (one per file, temp store):
// the shared semantics, then what only a real broker shows: restarts, a
// deleted consumer, foreign publishers and subscribers.
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Registry } from 'prom-client';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { User } from '../../../gen/user/v1/user.js';
import { createEventBroker, type EventBroker, type EventContext } from '../../../src/events/index.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import type { EventBrokerConfig } from '../../../src/config/types.js';
import { startNats, type NatsServer } from '../../helpers/nats.js';
import { waitUntil } from '../../helpers/wait.js';
import { brokerSemantics, freshType, user, type BrokerHarness, type StoredMessage } from './broker-semantics.js';

const STREAM = 'TUSK_EVENTS';
let server: NatsServer;
let raw: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const logger = createLogger({ level: 'silent' });

const config = (): EventBrokerConfig => ({
  broker: 'nats', servers: [server.endpoint], prefix: 'events', stream: STREAM, retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir: '/nonexistent',
});
const open = (source: string, metricsRegistry?: Registry): Promise<EventBroker> => createEventBroker(config(), { source, logger, ...(metricsRegistry ? { metricsRegistry } : {}), idleHeartbeatMs: 1000 });

before(async () => {
  server = await startNats();
  // The first broker creates the stream; the raw client below then reads it.
  await (await open('setup')).close();
  raw = await connect({ servers: server.endpoint, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  js = jetstream(raw);
  jsm = await jetstreamManager(raw);
});

after(async () => {
  await raw?.close();
  await server?.destroy();
});

/** Every message of a subject, through a throwaway consumer (no tusk code). */
async function readSubject(subject: string): Promise<StoredMessage[]> {
  const info = await jsm.consumers.add(STREAM, { filter_subject: subject, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All, inactive_threshold: nanos(30_000) });
  try {
    const consumer = await js.consumers.get(STREAM, info.name);
    const out: StoredMessage[] = [];
    for (let left = info.num_pending; left > 0; left -= 1) {
      const message = await consumer.next({ expires: 2000 });
      if (!message) break;
      const headerRecord: Record<string, string> = {};
      for (const [key, values] of message.headers ?? []) headerRecord[key.toLowerCase()] = values[0] ?? '';
      out.push({ subject: message.subject, headers: headerRecord, data: message.data });
    }
    return out;
  } finally {
    await jsm.consumers.delete(STREAM, info.name).catch(() => undefined);
  }
}

const harness: BrokerHarness = {
  config,
  open,
  publishRaw: async (subject, data, headerRecord) => {
    const natsHeaderSet = natsHeaders();
    for (const [key, value] of Object.entries(headerRecord)) if (key !== 'Nats-Msg-Id') natsHeaderSet.set(key, value);
    await js.publish(subject, data, { headers: natsHeaderSet, ...(headerRecord['Nats-Msg-Id'] ? { msgID: headerRecord['Nats-Msg-Id'] } : {}) });
  },
  read: readSubject,
  unacked: async (group) => {
    const info = await jsm.consumers.info(STREAM, group);
    return info.num_pending + info.num_ack_pending;
  },
};

brokerSemantics(() => harness);

test('the stream is created as the contract says: TUSK_EVENTS, subjects events.>, file storage', async () => {
  const info = await jsm.streams.info(STREAM);
  assert.deepEqual(info.config.subjects, ['events.>']);
  assert.equal(info.config.storage, 'file');
  assert.equal(info.config.duplicate_window, nanos(120_000));
});

test('a group is a durable consumer named after it, with explicit acks on the subject <prefix>.<message name>', async () => {
  const type = freshType('Durable');
  const broker = await open('durable');
  try {
    await broker.subscribe({ group: 'durable-group', type, handler: async () => undefined });
    const info = await jsm.consumers.info(STREAM, 'durable-group');
    assert.equal(info.config.durable_name, 'durable-group');
    assert.equal(info.config.ack_policy, 'explicit');
    assert.equal(info.config.filter_subject, `events.${type.fullName}`);
  } finally {
    await broker.close();
  }
});

test('in-progress acks follow the ack_wait the group was created with, even when a later subscriber asks for a longer one', async () => {
  const type = freshType('AckWaitKept');
  const creator = await open('ack-wait-creator');
  await (await creator.subscribe({ group: 'ack-wait-kept', type, ackWaitMs: 1000, handler: async () => undefined })).stop();
  await creator.close();
  const broker = await open('ack-wait-later');
  try {
    const attempts: number[] = [];
    let finished = 0;
    await broker.subscribe({
      group: 'ack-wait-kept', type, ackWaitMs: 30_000,
      handler: async (_event, ctx) => { attempts.push(ctx.attempt); await new Promise((resolve) => setTimeout(resolve, 3000)); finished += 1; },
    });
    await broker.publish(type, user('slow'));
    await waitUntil(() => finished >= 1, 20_000, 'the slow handler to finish');
    await waitUntil(async () => { const info = await jsm.consumers.info(STREAM, 'ack-wait-kept'); return info.num_pending + info.num_ack_pending === 0; }, 10_000, 'the event to be acked');
    assert.deepEqual(attempts, [1], 'kept alive at the server\'s 1 s ack_wait, so never redelivered');
  } finally {
    await broker.close();
  }
});

test('a foreign publisher (raw NATS client, no tusk code) triggers a tusk handler; a raw subscriber decodes a tusk event', async () => {
  const type = freshType('Foreign');
  const broker = await open('tusk-side');
  try {
    const got: Array<{ event: User; ctx: EventContext }> = [];
    await broker.subscribe({ group: 'foreign', type, handler: async (event, ctx) => { got.push({ event, ctx }); } });
    const foreignHeaders = natsHeaders();
    foreignHeaders.set('tusk-event-type', type.fullName);
    foreignHeaders.set('tusk-source', 'python.billing');
    await js.publish(`events.${type.fullName}`, User.encode(user('from-outside')).finish(), { msgID: 'foreign-event-1', headers: foreignHeaders });
    await waitUntil(() => got.length === 1, 10_000, 'the foreign event');
    assert.deepEqual(got[0]!.event, user('from-outside'));
    assert.equal(got[0]!.ctx.eventId, 'foreign-event-1');
    assert.equal(got[0]!.ctx.source, 'python.billing');

    const { eventId } = await broker.publish(type, user('from-tusk'));
    const stored = (await readSubject(`events.${type.fullName}`)).find((message) => message.headers['nats-msg-id'] === eventId);
    assert.ok(stored, 'the tusk event is on the contract subject with Nats-Msg-Id');
    assert.deepEqual(User.decode(stored.data), user('from-tusk'));
    assert.equal(stored.headers['tusk-event-type'], type.fullName);
    assert.equal(stored.headers['tusk-source'], 'tusk-side');
  } finally {
    await broker.close();
  }
});

test('a consumer deleted under a running subscription is re-created and keeps delivering', async () => {
  const type = freshType('Recreated');
  const broker = await open('recreate');
  try {
    const got: string[] = [];
    await broker.subscribe({ group: 'recreated', type, handler: async (event) => { got.push(event.id); } });
    await broker.publish(type, user('before'));
    await waitUntil(() => got.includes('before'), 10_000, 'the event before deletion');
    // nats-server 2.9 may refuse a delete racing its own write of the consumer's state ("directory not
    // empty", 10051): the operator's delete is retried until the consumer is gone.
    await waitUntil(() => jsm.consumers.delete(STREAM, 'recreated').catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 10014) return true; // consumer not found: gone already
      throw error;
    }), 5_000, 'the consumer to be deleted');
    await broker.publish(type, user('after'));
    await waitUntil(() => got.includes('after'), 20_000, 'the event after deletion');
    assert.ok((await jsm.consumers.info(STREAM, 'recreated')).config.durable_name === 'recreated');
  } finally {
    await broker.close();
  }
});

test('a consumer whose broker hung (missed heartbeats) recovers by itself once the broker answers again', async () => {
  const type = freshType('Hung');
  const broker = await open('hung');
  try {
    const got: string[] = [];
    await broker.subscribe({ group: 'hung', type, handler: async (event) => { got.push(event.id); } });
    await broker.publish(type, user('before-hang'));
    await waitUntil(() => got.includes('before-hang'), 10_000, 'the event before the hang');
    server.pause();
    try {
      // Heartbeats every 1 s: two missed ones make the consumer re-create its loop.
      await new Promise((resolve) => setTimeout(resolve, 3500));
    } finally {
      server.resume();
    }
    await broker.publish(type, user('after-hang'), { timeoutMs: 10_000 });
    await waitUntil(() => got.includes('after-hang'), 20_000, 'the event after the hang');
  } finally {
    await broker.close();
  }
});

test('publish rejects with DEADLINE_EXCEEDED while the broker is down, UNAVAILABLE once closed; connecting to nothing is UNAVAILABLE', async () => {
  const type = freshType('Down');
  const broker = await open('down');
  try {
    await server.stop();
    await assert.rejects(broker.publish(type, user('lost'), { timeoutMs: 500 }), (error: unknown) => error instanceof TuskError && error.code === Code.DEADLINE_EXCEEDED);
  } finally {
    await server.start();
  }
  await waitUntil(async () => broker.publish(type, user('back'), { timeoutMs: 1000 }).then(() => true, () => false), 15_000, 'the broker to take publishes again');
  await broker.close();
  await assert.rejects(broker.publish(type, user('closed')), (error: unknown) => error instanceof TuskError && error.code === Code.UNAVAILABLE);
  await assert.rejects(
    createEventBroker({ ...config(), servers: ['127.0.0.1:1'] }, { source: 'nowhere', logger, connectTimeoutMs: 500 }),
    (error: unknown) => error instanceof TuskError && error.code === Code.UNAVAILABLE && /127\.0\.0\.1:1/.test(error.message),
  );
});

test('nats-server killed and restarted under a publish load: every acked publish is consumed, no duplicates after dedup by event id', async () => {
  // The size: 5,000 events, the restart landing after 30 % of them were acked (about 6 s on 2 busy cores).
  const TOTAL = Number(process.env.TUSK_TEST_RESTART_EVENTS ?? 5_000);
  const IN_FLIGHT = 20;
  const type = freshType('Restart');
  const [publisher, consumer] = await Promise.all([open('load-publisher'), open('load-consumer')]);
  try {
    const consumed = new Map<string, number>();
    await consumer.subscribe({ group: 'restart', type, handler: async (_event, ctx) => { consumed.set(ctx.eventId, (consumed.get(ctx.eventId) ?? 0) + 1); } });
    const acked = new Set<string>();
    let restart: Promise<void> | undefined;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const id = `restart-${next++}`;
        const receipt = await publisher.publish(type, user(id), { eventId: id, timeoutMs: 30_000 });
        acked.add(receipt.eventId);
        if (acked.size === Math.floor(TOTAL * 0.3) && !restart) restart = server.kill().then(() => server.start());
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    assert.ok(restart, 'the broker was restarted mid-load');
    await restart;
    assert.equal(acked.size, TOTAL, 'every publish was acked once the broker was back');
    await waitUntil(() => [...acked].every((id) => consumed.has(id)), 30_000, 'every acked event to be consumed');
    assert.equal(consumed.size, TOTAL, 'no event beyond the published ones');
    const stored = await jsm.streams.info(STREAM, { subjects_filter: `events.${type.fullName}` });
    assert.equal(stored.state.subjects?.[`events.${type.fullName}`], TOTAL, 'the retried publishes made no duplicates in the stream');
  } finally {
    await Promise.all([publisher.close(), consumer.close()]);
  }
});

// Last in the file: it wipes the broker's store.
const wipeStore = async (): Promise<void> => {
  await server.stop();
  await rm(server.storeDir, { recursive: true, force: true });
  await mkdir(server.storeDir, { recursive: true });
  await server.start();
};

test('nats-server replaced by one with an empty store: publishers and consumers re-create the stream and the group', async () => {
  const type = freshType('Wiped');
  const [publisher, consumer] = await Promise.all([open('wiped-publisher'), open('wiped-consumer')]);
  const alone = await open('lone-publisher');
  try {
    const got: string[] = [];
    await consumer.subscribe({ group: 'wiped', type, handler: async (event) => { got.push(event.id); } });
    await publisher.publish(type, user('before-wipe'));
    await waitUntil(() => got.includes('before-wipe'), 10_000, 'the event before the wipe');
    await wipeStore();
    await publisher.publish(type, user('after-wipe'), { timeoutMs: 15_000 });
    await waitUntil(() => got.includes('after-wipe'), 20_000, 'the event after the wipe');
    assert.equal((await jsm.consumers.info(STREAM, 'wiped')).config.filter_subject, `events.${type.fullName}`);
    // With no consumer around to re-create it, the publisher puts the stream back itself.
    await Promise.all([publisher.close(), consumer.close()]);
    await wipeStore();
    const { duplicate } = await alone.publish(type, user('publisher-alone'), { timeoutMs: 15_000 });
    assert.equal(duplicate, false);
    assert.deepEqual((await jsm.streams.info(STREAM)).config.subjects, ['events.>']);
  } finally {
    await Promise.all([publisher.close(), consumer.close(), alone.close()]);
  }
});

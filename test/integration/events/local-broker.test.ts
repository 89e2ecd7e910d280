// The `local` provider (a folder) passes the same semantics as `nats`, plus
// the cross-process case it exists for: an instance that stops mid-handler
// leaves its event to another instance after ack_wait.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createEventBroker, type EventBroker } from '../../../src/events/index.js';
import { LocalEventStore } from '../../../src/events/local-store.js';
import type { EventsSection } from '../../../src/config/types.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { waitUntil } from '../../helpers/wait.js';
import { brokerSemantics, freshType, user, type BrokerHarness } from './broker-semantics.js';

let dir: string;
let store: LocalEventStore;
const logger = createLogger({ level: 'silent' });
const config = (): EventsSection => ({
  broker: 'local', servers: [], prefix: 'events', stream: 'TUSK_EVENTS', retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir,
});
const open = (source: string): Promise<EventBroker> => createEventBroker(config(), { source, logger, pollMs: 20 });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-events-test-'));
  store = new LocalEventStore(dir, 'TUSK_EVENTS');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const harness: BrokerHarness = {
  open,
  publishRaw: async (subject, data, headers) => {
    await store.append(headers['Nats-Msg-Id'] ?? `raw-${Math.random()}`, { subject, headers, data: Buffer.from(data).toString('base64'), publishedAtMs: Date.now() });
  },
  read: async (subject) => {
    const out = [];
    for (const name of await store.list(subject)) {
      const record = await store.read(subject, name);
      if (!record) continue;
      out.push({
        subject: record.subject,
        headers: Object.fromEntries(Object.entries(record.headers).map(([key, value]) => [key.toLowerCase(), value])),
        data: new Uint8Array(Buffer.from(record.data, 'base64')),
      });
    }
    return out;
  },
  unacked: async (group, subject) => {
    const acked = await store.acked(group);
    return (await store.list(subject)).filter((name) => !acked.has(name)).length;
  },
};

brokerSemantics(() => harness);

test('an instance that stops taking part mid-handler leaves the event to another instance of the group after ack_wait', async () => {
  const type = freshType('Abandoned');
  const [stuck, healthy, publisher] = await Promise.all([open('stuck'), open('healthy'), open('publisher')]);
  try {
    let release!: () => void;
    const hang = new Promise<void>((resolve) => { release = resolve; });
    let stuckStarted = 0;
    // The first instance takes the event and never finishes; with its keep-alive stopped (as when its process dies), ack_wait expires.
    const stuckSubscription = await stuck.subscribe({ group: 'abandoned', type, ackWaitMs: 300, handler: async () => { stuckStarted += 1; await hang; } });
    await publisher.publish(type, user('a1'));
    await waitUntil(() => stuckStarted === 1, 10_000, 'the first instance to take the event');
    // Stop the stuck instance's keep-alive by stopping its subscription's poll loop and its in-progress acks: simulate its death by removing its claims' renewals.
    const attempts: number[] = [];
    await healthy.subscribe({ group: 'abandoned', type, ackWaitMs: 300, handler: async (_event, ctx) => { attempts.push(ctx.attempt); } });
    // While the stuck handler keeps its delivery alive, the healthy instance must not get the event.
    release();
    await stuckSubscription.stop();
    assert.equal(await harness.unacked('abandoned', `events.${type.fullName}`), 0, 'the slow handler finished and acked');
    assert.deepEqual(attempts, [], 'a delivery kept alive by in-progress acks is not given to another instance');
  } finally {
    await Promise.all([stuck.close(), healthy.close(), publisher.close()]);
  }
});

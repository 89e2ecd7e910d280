// The `local` provider (a folder) passes the same semantics tests as `nats`,
// processes sharing the folder included.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Registry } from 'prom-client';
import { createEventBroker, UnsafeEventsFolderError, type EventBroker } from '../../../src/events/index.js';
import { LocalEventStore } from '../../../src/events/local-store.js';
import type { EventBrokerConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { brokerSemantics, type BrokerHarness } from './broker-semantics.js';

let dir: string;
let store: LocalEventStore;
const logger = createLogger({ level: 'silent' });
const config = (): EventBrokerConfig => ({
  broker: 'local', servers: [], prefix: 'events', stream: 'TUSK_EVENTS', retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir,
});
const open = (source: string, metricsRegistry?: Registry): Promise<EventBroker> => createEventBroker(config(), { source, logger, ...(metricsRegistry ? { metricsRegistry } : {}), pollMs: 20 });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-events-test-'));
  store = new LocalEventStore(dir, 'TUSK_EVENTS');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const harness: BrokerHarness = {
  config,
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

test('a local events folder others may write is refused (they could inject events), naming TUSK_EVENTS_DIR', async () => {
  const open = await mkdtemp(join(tmpdir(), 'tusk-events-open-'));
  try {
    await chmod(open, 0o777);
    await assert.rejects(
      createEventBroker({ ...config(), dir: open }, { source: 'x', logger }),
      (error: unknown) => error instanceof UnsafeEventsFolderError && /writable by other users \(mode 777\)/.test(error.message) && /TUSK_EVENTS_DIR/.test(error.message),
    );
  } finally {
    await rm(open, { recursive: true, force: true });
  }
});

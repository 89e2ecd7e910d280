// What a TuskServer hosting a generated service with [subscriptions] must do,
// the same on every provider (run by hosting-local.test.ts and hosting-nats.test.ts):
// deliver, redeliver after a throw, share a group between servers, drain on stop.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { CallContext, EventContext } from '../../../src/index.js';
import { createEventBroker, eventType, type EventBroker } from '../../../src/events/index.js';
import type { EventBrokerConfig } from '../../../src/config/types.js';
import { TuskServer } from '../../../src/server/index.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { NotificationServiceDescriptor } from '../../../gen/notification/v1/notification.tusk.js';
import { UserCreated } from '../../../gen/user/v1/user_events.js';
import { NotificationService } from '../../../examples/notification-service/notification-service.js';
import { waitUntil } from '../../helpers/wait.js';

export interface HostingHarness {
  /** The broker part of [events] (and the env that selects it) for one test's private prefix and stream. */
  brokerConfig(prefix: string, stream: string): EventBrokerConfig;
  env(): NodeJS.ProcessEnv;
}

const logger = createLogger({ level: 'silent' });
const USER_CREATED = eventType('user.v1.UserCreated', UserCreated);
const NO_CALL = {} as CallContext;

/** A test's own descriptor: a private prefix and stream, fast policies, every generated handler subscribed. */
function testDescriptor(prefix: string, group: string, extra: Record<string, unknown> = {}): typeof NotificationServiceDescriptor {
  const { descriptorSource: _source, generatedModule: _module, ...generated } = NotificationServiceDescriptor;
  const fast = { max_deliver: 4, backoff: ['20ms'], ack_wait: '2s', ...extra };
  return {
    ...generated,
    config: {
      events: { prefix, stream: prefix.toUpperCase() },
      subscriptions: {
        onUserCreated: { event: 'user.v1.UserCreated', group: `${group}-users`, ...fast },
        onOrderPlaced: { event: 'order.v1.OrderPlaced', group: `${group}-placed`, ...fast },
        onOrderCancelled: { event: 'order.v1.OrderCancelled', group: `${group}-cancelled`, ...fast },
      },
    },
  } as unknown as typeof NotificationServiceDescriptor;
}

/** The example service with a hook before each UserCreated is recorded. */
class HookedNotifications extends NotificationService {
  override readonly descriptor: typeof NotificationServiceDescriptor;
  readonly attempts: { eventId: string; attempt: number }[] = [];
  constructor(descriptor: typeof NotificationServiceDescriptor, name: string, private readonly hook: (ctx: EventContext) => Promise<void> = async () => undefined) {
    super({ instanceName: name });
    this.descriptor = descriptor;
  }

  override async onUserCreated(event: UserCreated, ctx: EventContext): Promise<void> {
    this.attempts.push({ eventId: ctx.eventId, attempt: ctx.attempt });
    await this.hook(ctx);
    await super.onUserCreated(event, ctx);
  }

  async recorded() {
    return (await this.listNotifications({ userId: '' }, NO_CALL)).notifications;
  }
}

const newUser = (userId: string): UserCreated => ({ userId, name: 'Ada', email: `${userId}@example.com`, createdAt: new Date() });

export function hostingSemantics(harness: HostingHarness): void {
  let registryDir = '';
  let counter = 0;
  const servers: TuskServer[] = [];
  const brokers: EventBroker[] = [];

  before(async () => {
    registryDir = await mkdtemp(join(tmpdir(), 'tusk-hosting-registry-'));
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all(brokers.map((broker) => broker.close()));
    await rm(registryDir, { recursive: true, force: true });
  });

  /** A private prefix per test: earlier tests' events never reach a later test's groups. */
  const fresh = () => `hosting${++counter}`;

  async function host(service: HookedNotifications): Promise<TuskServer> {
    const server = new TuskServer({ host: '127.0.0.1', port: 0, drainDelayMs: 0, handleSignals: false, logger, env: { ...harness.env(), TUSK_REGISTRY_DIR: registryDir } });
    server.add(service);
    servers.push(server);
    await server.start();
    return server;
  }

  async function publisher(prefix: string): Promise<EventBroker> {
    const broker = await createEventBroker(harness.brokerConfig(prefix, prefix.toUpperCase()), { source: 'test.v1.Publisher', logger, pollMs: 20 });
    brokers.push(broker);
    return broker;
  }

  test('a published event reaches the hosted handler, with its id, attempt and source', async () => {
    const prefix = fresh();
    const service = new HookedNotifications(testDescriptor(prefix, 'g'), 'a');
    await host(service);
    const receipt = await (await publisher(prefix)).publish(USER_CREATED, newUser('u1'));
    const [notification] = await waitUntil(async () => ((await service.recorded()).length > 0 ? service.recorded() : undefined), 10_000, 'the notification');
    assert.equal(notification!.eventId, receipt.eventId);
    assert.equal(notification!.userId, 'u1');
    assert.equal(notification!.source, 'test.v1.Publisher');
    assert.equal(notification!.attempt, 1);
    assert.match(notification!.text, /Welcome, Ada/);
  });

  test('a handler that throws is redelivered after its backoff and recorded once', async () => {
    const prefix = fresh();
    const service = new HookedNotifications(testDescriptor(prefix, 'g'), 'a', async (ctx) => {
      if (ctx.attempt < 3) throw new Error(`mail gateway down (attempt ${ctx.attempt})`);
    });
    await host(service);
    await (await publisher(prefix)).publish(USER_CREATED, newUser('u2'));
    const recorded = await waitUntil(async () => ((await service.recorded()).length > 0 ? service.recorded() : undefined), 10_000, 'the notification after two failures');
    assert.deepEqual(service.attempts.map(({ attempt }) => attempt), [1, 2, 3]);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]!.attempt, 3);
  });

  test('two servers in one group share the events: each is handled by one of them, none twice', async () => {
    const prefix = fresh();
    const slow = async () => sleep(30);
    const first = new HookedNotifications(testDescriptor(prefix, 'shared', { concurrency: 1 }), 'a', slow);
    const second = new HookedNotifications(testDescriptor(prefix, 'shared', { concurrency: 1 }), 'b', slow);
    await host(first);
    await host(second);
    const broker = await publisher(prefix);
    const ids = new Set<string>();
    for (let index = 0; index < 12; index++) ids.add((await broker.publish(USER_CREATED, newUser(`u3-${index}`))).eventId);
    await waitUntil(async () => (await first.recorded()).length + (await second.recorded()).length >= ids.size, 15_000, 'every event recorded');
    const handled = [...first.attempts, ...second.attempts].map(({ eventId }) => eventId);
    assert.deepEqual(new Set(handled), ids);
    assert.equal(handled.length, ids.size, 'an event was handled twice');
    assert.ok(first.attempts.length > 0 && second.attempts.length > 0, `one server took them all (${first.attempts.length} / ${second.attempts.length})`);
  });

  test('stop() waits for a running handler to finish before it resolves', async () => {
    const prefix = fresh();
    let started = false;
    let finishedAt = 0;
    const service = new HookedNotifications(testDescriptor(prefix, 'g'), 'a', async () => {
      started = true;
      await sleep(300);
      finishedAt = Date.now();
    });
    const server = await host(service);
    await (await publisher(prefix)).publish(USER_CREATED, newUser('u4'));
    await waitUntil(() => started, 10_000, 'the handler to start');
    await server.stop();
    const stoppedAt = Date.now();
    assert.ok(finishedAt > 0 && finishedAt <= stoppedAt, 'stop() resolved while the handler was still running');
    assert.equal((await service.recorded()).length, 1);
  });
}

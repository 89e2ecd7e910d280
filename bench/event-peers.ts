// The publishers and consumers the events benchmark compares, each on its own
// connection: tusk's EventBroker (nats and local providers) and a raw
// @nats-io/jetstream client writing the same wire message (wire.ts) by hand.
import { randomUUID } from 'node:crypto';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { OrderPlaced } from '../gen/order/v1/order_events.js';
import type { EventBrokerConfig } from '../src/config/types.js';
import { createEventBroker, eventType, EVENT_TYPE_HEADER, eventSubject, SOURCE_HEADER, type EventBroker } from '../src/events/index.js';
import { createLogger } from '../src/telemetry/logger.js';
import type { LatencyProbe } from './event-load.js';

export const STREAM = 'TUSK_EVENTS';
export const PREFIX = 'events';
const SOURCE = 'bench';
const ACK_WAIT_MS = 30_000;
/** tusk's default handler concurrency, which is also how many messages its pull asks for: the raw consumer gets the same. */
const CONSUMER_BATCH = 16;

/** The event every publisher sends; its index rides in total_cents so a handler can time it. */
export const orderPlaced = (index: number): OrderPlaced => ({ orderId: `order-${index}`, userId: 'user-42', totalCents: BigInt(index), correlationId: 'bench-correlation-0001' });

export interface LatencyPeer {
  publish(index: number): Promise<unknown>;
  stop(): Promise<void>;
}

/** One side of the comparison: a publish call for the throughput loop, and a publisher + consumer pair on a fresh subject. */
export interface EventPeer {
  readonly label: string;
  publish(typeName: string, index: number): Promise<unknown>;
  latencyPeer(typeName: string, group: string, probe: LatencyProbe): Promise<LatencyPeer>;
  close(): Promise<void>;
}

function natsConfig(endpoint: string): EventBrokerConfig {
  return { broker: 'nats', servers: [endpoint], prefix: PREFIX, stream: STREAM, retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir: '/nonexistent' };
}

function localConfig(dir: string): EventBrokerConfig {
  return { ...natsConfig('127.0.0.1:1'), broker: 'local', dir };
}

/**
 * tusk's broker as a service uses it: metrics into a registry (as TuskServer passes its own), default
 * subscribe options. No OpenTelemetry SDK is started, so spans are the API's no-ops.
 */
async function tuskPeer(label: string, config: EventBrokerConfig): Promise<EventPeer> {
  const open = (): Promise<EventBroker> => createEventBroker(config, { source: SOURCE, logger: createLogger({ level: 'silent' }), metricsRegistry: new Registry() });
  const publisher = await open();
  const types = new Map<string, ReturnType<typeof eventType<OrderPlaced>>>();
  const typeOf = (name: string) => {
    let type = types.get(name);
    if (!type) types.set(name, (type = eventType(name, OrderPlaced)));
    return type;
  };
  return {
    label,
    publish: (typeName, index) => publisher.publish(typeOf(typeName), orderPlaced(index)),
    async latencyPeer(typeName, group, probe) {
      // The consumer on its own broker (its own connection), as in another service.
      const consumer = await open();
      await consumer.subscribe({ group, type: typeOf(typeName), handler: async (event) => probe.received(Number(event.totalCents)) });
      return { publish: (index) => publisher.publish(typeOf(typeName), orderPlaced(index)), stop: () => consumer.close() };
    },
    close: () => publisher.close(),
  };
}

export const tuskNatsPeer = (endpoint: string): Promise<EventPeer> => tuskPeer('tusk EventBroker (nats)', natsConfig(endpoint));
export const tuskLocalPeer = (dir: string): Promise<EventPeer> => tuskPeer('tusk EventBroker (local)', localConfig(dir));

/**
 * The same bytes on the wire with no tusk code: encode, headers, `js.publish` with a `Nats-Msg-Id`.
 * `noAsyncTraces` is the connection option tusk sets (nats-broker.ts); the client's default is off.
 */
export async function rawNatsPeer(endpoint: string, noAsyncTraces: boolean): Promise<EventPeer & { readonly jsm: JetStreamManager }> {
  const connectRaw = (): Promise<NatsConnection> => connect({ servers: endpoint, maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces });
  const nc = await connectRaw();
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const publish = (client: JetStreamClient, typeName: string, index: number) => {
    const headers = natsHeaders();
    headers.set(EVENT_TYPE_HEADER, typeName);
    headers.set(SOURCE_HEADER, SOURCE);
    return client.publish(eventSubject(PREFIX, typeName), OrderPlaced.encode(orderPlaced(index)).finish(), { msgID: randomUUID(), headers });
  };
  return {
    label: noAsyncTraces ? 'raw @nats-io/jetstream, noAsyncTraces' : 'raw @nats-io/jetstream',
    jsm,
    publish: (typeName, index) => publish(js, typeName, index),
    async latencyPeer(typeName, group, probe) {
      const consumerConnection = await connectRaw();
      await jsm.consumers.add(STREAM, {
        durable_name: group, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
        filter_subject: eventSubject(PREFIX, typeName), ack_wait: nanos(ACK_WAIT_MS), max_ack_pending: 1000,
      });
      const messages = await (await jetstream(consumerConnection).consumers.get(STREAM, group)).consume({ max_messages: CONSUMER_BATCH });
      const loop = (async () => {
        for await (const message of messages) {
          probe.received(Number(OrderPlaced.decode(message.data).totalCents));
          message.ack();
        }
      })();
      return {
        publish: (index) => publish(js, typeName, index),
        stop: async () => {
          messages.stop();
          await loop;
          await consumerConnection.drain();
        },
      };
    },
    close: () => nc.drain(),
  };
}

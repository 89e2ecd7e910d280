import type { Registry } from 'prom-client';
import type { EventBrokerConfig } from '../config/types.js';
import { eventMetrics, NO_EVENT_METRICS } from './event-metrics.js';
import { createLogger } from '../telemetry/logger.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { EventBroker, EventType } from './types.js';

export interface CreateEventBrokerOptions {
  /** The publishing service, written as `tusk-source`. */
  readonly source: string;
  readonly logger?: Logger;
  /** local: how often consumers look for new events; default 50 ms. */
  readonly pollMs?: number;
  /** nats: the pull heartbeat (two missed ones re-create the consumer loop); default 5 s. */
  readonly idleHeartbeatMs?: number;
  /** nats: how long the first connection may take; default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Where the tusk_events_* metrics go (e.g. the server's registry); none when left out. */
  readonly metricsRegistry?: Registry;
}

/**
 * The broker `[events]` names. The NATS client is loaded only when the broker
 * is `nats`, so a service on the local provider never loads it.
 */
export async function createEventBroker(config: EventBrokerConfig, options: CreateEventBrokerOptions): Promise<EventBroker> {
  const logger = (options.logger ?? createLogger({ name: 'tusk-grpc' })).child({ component: 'events', broker: config.broker });
  const observer = options.metricsRegistry ? eventMetrics(options.metricsRegistry) : NO_EVENT_METRICS;
  if (config.broker === 'local') {
    const { LocalEventBroker } = await import('./local-broker.js');
    const { ensurePrivateEventsFolder } = await import('./local-store.js');
    await ensurePrivateEventsFolder(config.dir);
    return new LocalEventBroker({ dir: config.dir, streamName: config.stream, prefix: config.prefix, source: options.source, logger, observer, ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }) });
  }
  const { NatsEventBroker } = await import('./nats-broker.js');
  return NatsEventBroker.connect({
    servers: config.servers,
    prefix: config.prefix,
    source: options.source,
    logger,
    observer,
    stream: { name: config.stream, retention: config.retention, maxAgeMs: config.maxAgeMs, replicas: config.replicas, duplicateWindowMs: config.duplicateWindowMs },
    ...(options.idleHeartbeatMs === undefined ? {} : { idleHeartbeatMs: options.idleHeartbeatMs }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  });
}

/** An EventType from ts-proto's MessageFns of a message and its full proto name. */
export function eventType<T>(fullName: string, fns: { encode(message: T): { finish(): Uint8Array }; decode(input: Uint8Array): T }): EventType<T> {
  return { fullName, encode: (message) => fns.encode(message), decode: (input) => fns.decode(input) };
}

// The stream and the durable consumers on the JetStream side, created when
// missing so the first process of a fresh broker needs no set-up step.
import { millis, nanos } from '@nats-io/transport-node';
import {
  AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType,
  type ConsumerConfig, type JetStreamManager, type StreamConfig,
} from '@nats-io/jetstream';
import { groupConflict } from './options-check.js';
import type { EventStreamSettings } from './types.js';
import { streamSubjects } from './wire.js';

/** Creates the stream (file storage, `<prefix>.>`) unless it exists; an existing stream is left as its operator made it. */
export async function ensureStream(jsm: JetStreamManager, settings: EventStreamSettings, prefix: string): Promise<void> {
  try {
    await jsm.streams.info(settings.name);
    return;
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
  }
  const config: Partial<StreamConfig> & { name: string } = {
    name: settings.name,
    subjects: [streamSubjects(prefix)],
    storage: StorageType.File,
    retention: settings.retention === 'interest' ? RetentionPolicy.Interest : RetentionPolicy.Limits,
    max_age: settings.maxAgeMs === null ? 0 : nanos(settings.maxAgeMs),
    num_replicas: settings.replicas,
    duplicate_window: nanos(settings.duplicateWindowMs),
  };
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Another instance created it between our info and add: that is the stream we wanted.
    await jsm.streams.info(settings.name).catch(() => Promise.reject(error));
  }
}

export interface ConsumerSettings {
  readonly stream: string;
  readonly group: string;
  readonly subject: string;
  readonly ackWaitMs: number;
  readonly concurrency: number;
}

/**
 * The group's durable consumer (returns its ack_wait, ms): explicit acks, every event of the subject from
 * the start of the stream. Attempts are counted and dead-lettered by us (see
 * delivery.ts), so the server's max_deliver stays unlimited and the server
 * never drops an event on its own.
 */
export async function ensureConsumer(jsm: JetStreamManager, settings: ConsumerSettings): Promise<number> {
  const config: Partial<ConsumerConfig> = {
    durable_name: settings.group,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: settings.subject,
    ack_wait: nanos(settings.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: Math.max(1000, settings.concurrency * 64),
  };
  let existing;
  try {
    existing = await jsm.consumers.info(settings.stream, settings.group);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
  }
  if (existing) {
    if (existing.config.filter_subject !== settings.subject) {
      throw groupConflict(settings.group, existing.config.filter_subject ?? 'another subject', settings.subject);
    }
    return ackWaitMsOf(existing.config.ack_wait, settings.ackWaitMs);
  }
  try {
    return ackWaitMsOf((await jsm.consumers.add(settings.stream, config)).config.ack_wait, settings.ackWaitMs);
  } catch (error) {
    const raced = await jsm.consumers.info(settings.stream, settings.group).catch(() => Promise.reject(error));
    return ackWaitMsOf(raced.config.ack_wait, settings.ackWaitMs);
  }
}

/** The ack_wait the server applies (the group's first subscriber set it), which the keep-alive must beat. */
function ackWaitMsOf(ackWaitNanos: number | undefined, fallbackMs: number): number {
  return ackWaitNanos ? millis(ackWaitNanos) : fallbackMs;
}

export function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

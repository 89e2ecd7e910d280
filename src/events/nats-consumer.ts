// One group's pull consumer, kept running: the consume() loop is re-created
// whenever it reports a missed heartbeat or a missing consumer/stream, or
// ends on its own (nats.node #590: a consumer must never be silently stuck).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { Logger } from '../telemetry/logger-types.js';
import { messageOf } from '../status/tusk-error.js';
import { handleDelivery, lowerCaseHeaders, type Delivery, type DeliveryPolicy } from './delivery.js';
import { ensureConsumer, ensureStream } from './nats-setup.js';
import type { EventStreamSettings, Subscription } from './types.js';
import { deadLetterSubject, DELIVERIES_HEADER, ERROR_HEADER, eventSubject, headerSafe, MSG_ID_HEADER, typeFromSubject } from './wire.js';
import { InFlight } from './in-flight.js';

/** Notifications after which the current consume() loop is replaced by a new one. */
const RESTART_ON = new Set(['heartbeats_missed', 'consumer_not_found', 'consumer_deleted', 'stream_not_found']);
const RESTART_DELAY_MS = 250;
const DEAD_LETTER_PUBLISH_TIMEOUT_MS = 5_000;

export interface NatsConsumerOptions<T> {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: EventStreamSettings;
  readonly prefix: string;
  readonly policy: DeliveryPolicy<T>;
  readonly concurrency: number;
  /** Pull heartbeat, ms: two missed ones restart the loop. */
  readonly idleHeartbeatMs: number;
  readonly logger: Logger;
  readonly onStopped: (consumer: NatsConsumer<T>) => void;
}

export class NatsConsumer<T> implements Subscription {
  readonly group: string;
  readonly type: string;
  #stopped = false;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> = Promise.resolve();
  #stopObservingPending: () => void = () => undefined;
  readonly #inFlight: InFlight;
  #policy: DeliveryPolicy<T>;
  /** How many times the consume loop was (re)started; for tests and logs. */
  restarts = 0;

  constructor(private readonly options: NatsConsumerOptions<T>) {
    this.group = options.policy.group;
    this.type = options.policy.type.fullName;
    this.#inFlight = new InFlight(options.concurrency);
    this.#policy = options.policy;
  }

  /** Creates the durable consumer (so events published from now on are kept for the group), then starts consuming. */
  async start(): Promise<void> {
    await this.#ensure();
    this.#stopObservingPending = this.options.policy.observer.observePending(this.group, this.type, async () => {
      const info = await this.options.jsm.consumers.info(this.options.stream.name, this.group);
      return info.num_pending + info.num_ack_pending;
    });
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopObservingPending();
    this.#messages?.stop();
    await this.#loop;
    await this.#inFlight.drained();
    this.options.onStopped(this);
  }

  async #ensure(): Promise<void> {
    const { jsm, stream, prefix, policy, concurrency } = this.options;
    await ensureStream(jsm, stream, prefix);
    const ackWaitMs = await ensureConsumer(jsm, { stream: stream.name, group: policy.group, subject: eventSubject(prefix, policy.type.fullName), ackWaitMs: policy.ackWaitMs, concurrency });
    // Keep-alives follow the server's ack_wait, which an earlier subscriber of the group may have set shorter.
    this.#policy = { ...policy, ackWaitMs: Math.min(ackWaitMs, policy.ackWaitMs) };
  }

  async #run(): Promise<void> {
    const log = this.options.logger;
    while (!this.#stopped) {
      try {
        if (this.restarts > 0) await this.#ensure();
        this.restarts += 1;
        const consumer = await this.options.js.consumers.get(this.options.stream.name, this.group);
        const messages = await consumer.consume({ max_messages: this.options.concurrency, idle_heartbeat: this.options.idleHeartbeatMs });
        this.#messages = messages;
        if (this.#stopped) messages.stop();
        void this.#watch(messages).catch(() => messages.stop());
        for await (const message of messages) {
          await this.#inFlight.acquire();
          this.#inFlight.run(handleDelivery(this.#delivery(message), this.#policy, log));
        }
      } catch (error) {
        if (!this.#stopped) log.warn({ group: this.group, err: messageOf(error) }, 'event consumer failed; starting it again');
      }
      if (!this.#stopped) await sleep(RESTART_DELAY_MS);
    }
  }

  /** Ends the consume loop on a notification that it may no longer get messages; #run starts a new one. */
  async #watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (RESTART_ON.has(status.type)) {
        this.options.logger.warn({ group: this.group, status: status.type }, 'event consumer lost its subscription; re-creating it');
        messages.stop();
        return;
      }
    }
  }

  #delivery(message: JsMsg): Delivery {
    return new NatsDelivery(message, this.options.js, this.options.prefix, this.group);
  }
}

/** One JetStream message as a Delivery: methods on a class, so a delivery costs one object, not five closures. */
class NatsDelivery implements Delivery {
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly subjectType: string;
  readonly attempt: number;
  readonly publishedAt: Date;

  constructor(private readonly message: JsMsg, private readonly js: JetStreamClient, private readonly prefix: string, private readonly group: string) {
    this.data = message.data;
    this.headers = lowerCaseHeaders(message.headers ?? []);
    this.subjectType = typeFromSubject(prefix, message.subject);
    this.attempt = message.info.deliveryCount;
    this.publishedAt = message.time;
  }

  async ack(): Promise<void> {
    this.message.ack();
  }

  async retryAfter(delayMs: number): Promise<void> {
    this.message.nak(delayMs);
  }

  working(): void {
    this.message.working();
  }

  async deadLetter(typeName: string, error: string): Promise<void> {
    const { message } = this;
    const dlqHeaders = natsHeaders();
    for (const [key, values] of message.headers ?? []) {
      if (key.toLowerCase() !== MSG_ID_HEADER.toLowerCase()) for (const value of values) dlqHeaders.append(key, value);
    }
    dlqHeaders.set(ERROR_HEADER, headerSafe(error));
    dlqHeaders.set(DELIVERIES_HEADER, String(this.attempt));
    // One dead letter per event and group, even when this republish is itself retried.
    const msgID = `${this.headers[MSG_ID_HEADER.toLowerCase()] ?? `seq-${message.seq}`}:dlq:${this.group}`;
    await this.js.publish(deadLetterSubject(this.prefix, typeName), message.data, { msgID, headers: dlqHeaders, timeout: DEAD_LETTER_PUBLISH_TIMEOUT_MS });
    message.ack();
  }
}

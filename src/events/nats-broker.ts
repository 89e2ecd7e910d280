// The `nats` provider: NATS JetStream, the wire format of wire.ts.
import { randomUUID } from 'node:crypto';
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { Code } from '../status/codes.js';
import { messageOf, TuskError } from '../status/tusk-error.js';
import { TRACER_NAME } from '../telemetry/client-tracer.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { EventObserver } from './event-metrics.js';
import { injectTraceContext } from '../telemetry/propagation.js';
import { DEFAULT_CONCURRENCY, deliveryPolicy } from './delivery.js';
import { connectNats } from './nats-connect.js';
import { NatsConsumer } from './nats-consumer.js';
import { ensureStream } from './nats-setup.js';
import { checkEventType, checkSubscribeOptions, redactServers } from './options-check.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS, PermanentPublishError, publishUntilDeadline } from './publish-retry.js';
import type { EventBroker, EventStreamSettings, EventType, PublishOptions, PublishReceipt, SubscribeOptions, Subscription } from './types.js';
import { EVENT_TYPE_HEADER, eventSubject, SOURCE_HEADER } from './wire.js';

export interface NatsBrokerOptions {
  /** host:port list of the NATS servers. */
  readonly servers: readonly string[];
  readonly prefix: string;
  readonly stream: EventStreamSettings;
  /** The publishing service (`tusk-source`). */
  readonly source: string;
  readonly logger: Logger;
  readonly observer: EventObserver;
  /** How long the first connection may take; default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Pull heartbeat of consumers; default 5 s (two missed ones re-create the consumer loop). */
  readonly idleHeartbeatMs?: number;
}

const PUBLISH_ATTEMPT_TIMEOUT_MS = 2_000;
const STREAM_CHECK_INTERVAL_MS = 1_000;

export class NatsEventBroker implements EventBroker {
  readonly provider = 'nats' as const;
  readonly #subscriptions = new Set<NatsConsumer<unknown>>();
  #closed = false;
  #lastStreamCheck = 0;

  private constructor(
    private readonly options: NatsBrokerOptions,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  /** Connects (rejecting with UNAVAILABLE when no server answers) and creates the stream if it is missing. */
  static async connect(options: NatsBrokerOptions): Promise<NatsEventBroker> {
    const nc = await connectNats({ servers: options.servers, name: options.source, ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }) });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, options.stream, options.prefix);
      return new NatsEventBroker(options, nc, jetstream(nc), jsm);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw new TuskError(Code.UNAVAILABLE, `JetStream stream ${options.stream.name} not available on ${redactServers(options.servers)}: ${messageOf(error)} (is nats-server running with -js?)`);
    }
  }

  async publish<T>(type: EventType<T>, event: T, options: PublishOptions = {}): Promise<PublishReceipt> {
    checkEventType(type);
    const eventId = options.eventId ?? randomUUID();
    const data = type.encode(event).finish();
    const subject = eventSubject(this.options.prefix, type.fullName);
    const span = trace.getTracer(TRACER_NAME).startSpan(`${type.fullName} publish`, {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'nats', 'messaging.operation': 'publish', 'messaging.destination.name': subject, 'messaging.message.id': eventId },
    });
    const headers = natsHeaders();
    headers.set(EVENT_TYPE_HEADER, type.fullName);
    headers.set(SOURCE_HEADER, options.source ?? this.options.source);
    const traceHeaders: Record<string, string> = {};
    injectTraceContext(traceHeaders, trace.setSpan(otelContext.active(), span));
    for (const [key, value] of Object.entries(traceHeaders)) headers.set(key, value);
    try {
      const ack = await publishUntilDeadline(eventId, options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS, options.signal, async (remainingMs) => {
        if (this.#closed || this.nc.isClosed()) throw new PermanentPublishError('the event broker is closed');
        try {
          return await this.js.publish(subject, data, { msgID: eventId, headers, timeout: Math.min(remainingMs, PUBLISH_ATTEMPT_TIMEOUT_MS) });
        } catch (error) {
          await this.#recreateStreamIfMissing();
          throw error;
        }
      });
      span.setStatus({ code: SpanStatusCode.OK });
      this.options.observer.published(type.fullName, ack.duplicate ? 'duplicate' : 'stored');
      return { eventId, duplicate: ack.duplicate };
    } catch (error) {
      this.options.observer.published(type.fullName, 'failed');
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** A broker that lost its store answers publishes with "no responders": put the stream back (at most once a second). */
  async #recreateStreamIfMissing(): Promise<void> {
    if (Date.now() - this.#lastStreamCheck < STREAM_CHECK_INTERVAL_MS || this.nc.isClosed()) return;
    this.#lastStreamCheck = Date.now();
    await ensureStream(this.jsm, this.options.stream, this.options.prefix).catch(() => undefined);
  }

  async subscribe<T>(options: SubscribeOptions<T>): Promise<Subscription> {
    if (this.#closed) throw new TuskError(Code.UNAVAILABLE, 'the event broker is closed');
    checkSubscribeOptions(options);
    const consumer = new NatsConsumer<T>({
      js: this.js,
      jsm: this.jsm,
      stream: this.options.stream,
      prefix: this.options.prefix,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      idleHeartbeatMs: this.options.idleHeartbeatMs ?? 5_000,
      logger: this.options.logger,
      onStopped: (stopped) => this.#subscriptions.delete(stopped as NatsConsumer<unknown>),
      policy: deliveryPolicy(options, this.options.observer),
    });
    try {
      await consumer.start();
    } catch (error) {
      throw error instanceof TuskError ? error : new TuskError(Code.UNAVAILABLE, `cannot create consumer group ${options.group} on ${redactServers(this.options.servers)}: ${messageOf(error)}`);
    }
    this.#subscriptions.add(consumer as NatsConsumer<unknown>);
    return consumer;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.stop()));
    await this.nc.drain().catch(() => this.nc.close());
  }
}

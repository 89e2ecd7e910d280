// The `local` provider: a folder on one machine, with the delivery semantics of
// the `nats` one (groups, at least once, backoff, dead letters). For
// development and demos only: polled files, no retention, ids kept forever.
import { randomUUID } from 'node:crypto';
import { context as otelContext, SpanKind, trace } from '@opentelemetry/api';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { EventObserver } from './event-metrics.js';
import { injectTraceContext } from '../telemetry/propagation.js';
import { TRACER_NAME } from '../telemetry/client-tracer.js';
import { DEFAULT_CONCURRENCY, deliveryPolicy } from './delivery.js';
import { LocalConsumer } from './local-consumer.js';
import { LocalEventStore } from './local-store.js';
import { checkEventType, checkSubscribeOptions } from './options-check.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS, PermanentPublishError, publishUntilDeadline } from './publish-retry.js';
import type { EventBroker, EventType, PublishOptions, PublishReceipt, SubscribeOptions, Subscription } from './types.js';
import { EVENT_TYPE_HEADER, eventSubject, MSG_ID_HEADER, SOURCE_HEADER } from './wire.js';

export interface LocalBrokerOptions {
  readonly dir: string;
  readonly streamName: string;
  readonly prefix: string;
  readonly source: string;
  readonly logger: Logger;
  readonly observer: EventObserver;
  /** How often consumers look for new events; default 50 ms. */
  readonly pollMs?: number;
}

export class LocalEventBroker implements EventBroker {
  readonly provider = 'local' as const;
  readonly #store: LocalEventStore;
  readonly #subscriptions = new Set<LocalConsumer<unknown>>();
  #closed = false;

  constructor(private readonly options: LocalBrokerOptions) {
    this.#store = new LocalEventStore(options.dir, options.streamName);
  }

  async publish<T>(type: EventType<T>, event: T, options: PublishOptions = {}): Promise<PublishReceipt> {
    checkEventType(type);
    const eventId = options.eventId ?? randomUUID();
    const data = Buffer.from(type.encode(event).finish()).toString('base64');
    const span = trace.getTracer(TRACER_NAME).startSpan(`${type.fullName} publish`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.message.id': eventId } });
    const headers: Record<string, string> = { [MSG_ID_HEADER]: eventId, [EVENT_TYPE_HEADER]: type.fullName, [SOURCE_HEADER]: options.source ?? this.options.source };
    injectTraceContext(headers, trace.setSpan(otelContext.active(), span));
    try {
      const duplicate = await publishUntilDeadline(eventId, options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS, options.signal, async () => {
        if (this.#closed) throw new PermanentPublishError('the event broker is closed');
        return this.#store.append(eventId, { subject: eventSubject(this.options.prefix, type.fullName), headers, data, publishedAtMs: Date.now() });
      });
      this.options.observer.published(type.fullName, duplicate ? 'duplicate' : 'stored');
      return { eventId, duplicate };
    } catch (error) {
      this.options.observer.published(type.fullName, 'failed');
      throw error;
    } finally {
      span.end();
    }
  }

  async subscribe<T>(options: SubscribeOptions<T>): Promise<Subscription> {
    if (this.#closed) throw new TuskError(Code.UNAVAILABLE, 'the event broker is closed');
    checkSubscribeOptions(options);
    const consumer = new LocalConsumer<T>({
      store: this.#store,
      prefix: this.options.prefix,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      pollMs: this.options.pollMs ?? 50,
      logger: this.options.logger,
      onStopped: (stopped) => this.#subscriptions.delete(stopped as LocalConsumer<unknown>),
      policy: deliveryPolicy(options, this.options.observer),
    });
    await consumer.start();
    this.#subscriptions.add(consumer as LocalConsumer<unknown>);
    return consumer;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.stop()));
  }
}

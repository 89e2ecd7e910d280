// What happens to one delivered event, the same for every provider: check its
// type, decode it, run the handler in the publisher's trace while keeping the
// delivery alive, then ack, retry after the backoff, or dead-letter it.
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { contextFromTraceHeaders, currentTraceContext } from '../telemetry/propagation.js';
import { TRACER_NAME } from '../telemetry/client-tracer.js';
import type { Logger } from '../telemetry/logger-types.js';
import { messageOf } from '../status/tusk-error.js';
import type { EventObserver } from './event-metrics.js';
import type { TraceContext } from '../server/call-context.js';
import type { EventContext, EventType, EventHandler, SubscribeOptions } from './types.js';
import { EVENT_TYPE_HEADER, MSG_ID_HEADER, SOURCE_HEADER } from './wire.js';

/** One delivery as a provider hands it over. */
export interface Delivery {
  readonly data: Uint8Array;
  /** Header names lower-cased (publishers in other languages may capitalise them). */
  readonly headers: Readonly<Record<string, string>>;
  /** The message name the subject carries (used when `tusk-event-type` is missing). */
  readonly subjectType: string;
  /** 1 on the first delivery. */
  readonly attempt: number;
  readonly publishedAt: Date;
  ack(): Promise<void>;
  /** Redeliver after this long. */
  retryAfter(delayMs: number): Promise<void>;
  /** Resets the ack timer: the handler is still working. */
  working(): void;
  /** Republishes to the dead-letter subject with the error, then acks. */
  deadLetter(typeName: string, error: string): Promise<void>;
}

export interface DeliveryPolicy<T> {
  readonly group: string;
  readonly type: EventType<T>;
  readonly handler: EventHandler<T>;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly ackWaitMs: number;
  readonly observer: EventObserver;
}

export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_BACKOFF_MS: readonly number[] = [1000, 5000, 30_000];
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_CONCURRENCY = 16;

/** A subscription's delivery policy with the defaults filled in: the same for every provider. */
export function deliveryPolicy<T>(options: SubscribeOptions<T>, observer: EventObserver): DeliveryPolicy<T> {
  return {
    group: options.group,
    type: options.type,
    handler: options.handler,
    maxDeliver: options.maxDeliver ?? DEFAULT_MAX_DELIVER,
    backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
    ackWaitMs: options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
    observer,
  };
}

/** The delay before attempt `attempt + 1`; the last entry repeats. */
export function backoffFor(backoffMs: readonly number[], attempt: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(attempt - 1, backoffMs.length - 1)]!;
}

/**
 * Runs one delivery to its end. Never throws: every outcome is an ack, a
 * retry or a dead letter, and a failure of those is logged (the broker then
 * redelivers after ack_wait, so nothing is lost).
 */
export async function handleDelivery<T>(delivery: Delivery, policy: DeliveryPolicy<T>, logger: Logger): Promise<void> {
  const typeName = delivery.headers[EVENT_TYPE_HEADER.toLowerCase()] ?? delivery.subjectType;
  const eventId = delivery.headers[MSG_ID_HEADER.toLowerCase()] ?? '';
  // The child logger (its bindings serialised) is made only when a line is written or the handler asks for it.
  let child: Logger | undefined;
  const log = (): Logger => (child ??= logger.child({ group: policy.group, event_type: typeName, event_id: eventId, attempt: delivery.attempt }));
  const { observer } = policy;
  observer.delivered(policy.group, typeName, delivery.attempt);
  try {
    if (typeName !== policy.type.fullName) {
      return await deadLetter(delivery, policy, typeName, log(), `unknown tusk-event-type ${JSON.stringify(typeName)}: group ${policy.group} handles ${policy.type.fullName}`);
    }
    if (delivery.attempt > policy.maxDeliver) {
      // An earlier attempt never answered (its instance died or it outlived ack_wait) and it was the last one allowed.
      return await deadLetter(delivery, policy, typeName, log(), `not acknowledged after ${policy.maxDeliver} deliveries (handler timed out or its instance stopped)`);
    }
    let event: T;
    try {
      event = policy.type.decode(delivery.data);
    } catch (error) {
      return await deadLetter(delivery, policy, typeName, log(), `undecodable payload for ${typeName}: ${messageOf(error)}`);
    }
    const started = performance.now();
    const failure = await runHandler(event, delivery, policy, typeName, eventId, log);
    const handlerMs = Math.max(performance.now() - started, Number.MIN_VALUE);
    if (failure === undefined) {
      await delivery.ack();
      return observer.settled(policy.group, typeName, 'acked', handlerMs);
    }
    if (delivery.attempt >= policy.maxDeliver) return await deadLetter(delivery, policy, typeName, log(), failure, handlerMs);
    const delayMs = backoffFor(policy.backoffMs, delivery.attempt);
    log().warn({ err: failure, retry_in_ms: delayMs }, 'event handler failed; redelivering after backoff');
    await delivery.retryAfter(delayMs);
    observer.settled(policy.group, typeName, 'retried', handlerMs);
  } catch (error) {
    log().error({ err: messageOf(error) }, 'could not settle an event delivery; the broker redelivers it after ack_wait');
  }
}

async function deadLetter<T>(delivery: Delivery, policy: DeliveryPolicy<T>, typeName: string, log: Logger, error: string, handlerMs = 0): Promise<void> {
  log.error({ err: error }, 'event dead-lettered');
  await delivery.deadLetter(typeName, error);
  policy.observer.settled(policy.group, typeName, 'dead_lettered', handlerMs);
}

/** A class, not a literal with a getter: such a literal costs microseconds to build, on every event. */
class HandlerContext implements EventContext {
  readonly attempt: number;
  readonly publishedAt: Date;
  readonly source: string;
  constructor(readonly eventId: string, delivery: Delivery, readonly type: string, readonly trace: TraceContext, private readonly log: () => Logger) {
    this.attempt = delivery.attempt;
    this.publishedAt = delivery.publishedAt;
    this.source = delivery.headers[SOURCE_HEADER.toLowerCase()] ?? '';
  }

  get logger(): Logger {
    return this.log();
  }
}

/** The handler's error message, or undefined when it resolved. */
async function runHandler<T>(event: T, delivery: Delivery, policy: DeliveryPolicy<T>, typeName: string, eventId: string, log: () => Logger): Promise<string | undefined> {
  const parent = contextFromTraceHeaders(delivery.headers);
  const span = trace.getTracer(TRACER_NAME).startSpan(`${typeName} process`, {
    kind: SpanKind.CONSUMER,
    attributes: { 'messaging.system': 'nats', 'messaging.operation': 'process', 'messaging.consumer.group.name': policy.group, 'messaging.message.id': eventId, 'messaging.message.delivery_count': delivery.attempt },
  }, parent);
  const spanContext = trace.setSpan(parent, span);
  // In-progress acks at a third of ack_wait keep a long handler's event from being redelivered meanwhile.
  const keepAlive = setInterval(() => delivery.working(), Math.max(50, Math.floor(policy.ackWaitMs / 3)));
  keepAlive.unref();
  try {
    const ctx = new HandlerContext(eventId, delivery, typeName, currentTraceContext(spanContext), log);
    await otelContext.with(spanContext, () => policy.handler(event, ctx));
    span.setStatus({ code: SpanStatusCode.OK });
    return undefined;
  } catch (error) {
    span.recordException(error instanceof Error ? error : new Error(messageOf(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
    return messageOf(error) || 'handler failed';
  } finally {
    clearInterval(keepAlive);
    span.end();
  }
}
/** First value of each header, names lower-cased. */
export function lowerCaseHeaders(entries: Iterable<readonly [string, string | readonly string[]]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    const first = typeof value === 'string' ? value : value[0];
    if (first !== undefined) out[key.toLowerCase()] = first;
  }
  return out;
}

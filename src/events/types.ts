import type { TraceContext } from '../server/call-context.js';
import type { Logger } from '../telemetry/logger-types.js';

/**
 * A proto message type as ts-proto generates it (its MessageFns), plus its
 * full proto name: the subject and `tusk-event-type` are made from that name.
 */
export interface EventType<T> {
  readonly fullName: string;
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export interface PublishOptions {
  /** The event id (`Nats-Msg-Id`); default a fresh UUID. Reuse it to publish the same event again without a duplicate. */
  readonly eventId?: string;
  /** How long publish may retry (across a broker restart) before DEADLINE_EXCEEDED; default 10 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** The publishing service (`tusk-source`); default the broker's. A TuskServer's shared broker sets each service's own. */
  readonly source?: string;
}

export interface PublishReceipt {
  readonly eventId: string;
  /** The broker already held this event id (a retried publish): nothing new was stored. */
  readonly duplicate: boolean;
}

export interface EventContext {
  readonly eventId: string;
  /** 1 on the first delivery. */
  readonly attempt: number;
  readonly publishedAt: Date;
  /** The publishing service (`tusk-source`); "" when a foreign publisher left it out. */
  readonly source: string;
  readonly type: string;
  readonly logger: Logger;
  /** The publisher's trace (the handler's span is its child). */
  readonly trace: TraceContext;
}

export type EventHandler<T> = (event: T, ctx: EventContext) => Promise<void>;

export interface SubscribeOptions<T> {
  /** The consumer group: a durable JetStream consumer of this name. Every group gets every event; within one, each event goes to one instance. */
  readonly group: string;
  readonly type: EventType<T>;
  readonly handler: EventHandler<T>;
  /** Handler attempts before the event goes to the dead-letter subject; default 5. */
  readonly maxDeliver?: number;
  /** Delay before attempt n+1 after attempt n threw, ms; the last entry repeats. Default [1000, 5000, 30000]. */
  readonly backoffMs?: readonly number[];
  /** Time a delivery may go without an ack before it is redelivered (the handler is kept alive meanwhile); default 30 s. */
  readonly ackWaitMs?: number;
  /** Handlers running at once in this instance; default 16. */
  readonly concurrency?: number;
}

export interface Subscription {
  readonly group: string;
  readonly type: string;
  /** Stops taking events and waits for the running handlers to end. */
  stop(): Promise<void>;
}

export interface EventBroker {
  readonly provider: 'nats' | 'local';
  /** Resolves once the broker has stored the event. Rejects with TuskError UNAVAILABLE / DEADLINE_EXCEEDED. */
  publish<T>(type: EventType<T>, event: T, options?: PublishOptions): Promise<PublishReceipt>;
  subscribe<T>(options: SubscribeOptions<T>): Promise<Subscription>;
  /** Stops every subscription (draining running handlers), then closes the connection. */
  close(): Promise<void>;
}

/** The settings of the stream behind every event (`[events]` of the descriptor). */
export interface EventStreamSettings {
  readonly name: string;
  readonly retention: 'limits' | 'interest';
  /** null = kept until other limits apply. */
  readonly maxAgeMs: number | null;
  readonly replicas: number;
  readonly duplicateWindowMs: number;
}

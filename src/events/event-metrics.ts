import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { RPC_DURATION_BUCKETS } from '../telemetry/metrics.js';

/** What the event runtime reports; `NO_EVENT_METRICS` when no registry is given. */
export interface EventObserver {
  published(type: string, outcome: 'stored' | 'duplicate' | 'failed'): void;
  /** A delivery reached a handler's consumer (attempt > 1 also counts as a redelivery). */
  delivered(group: string, type: string, attempt: number): void;
  /** How a delivery ended, and how long its handler ran (0 when it never ran). */
  settled(group: string, type: string, outcome: 'acked' | 'retried' | 'dead_lettered', handlerMs: number): void;
  /** Reports the group's consumer lag (events not yet acked) at every scrape, until the returned function is called. */
  observePending(group: string, type: string, read: () => Promise<number>): () => void;
}

export const NO_EVENT_METRICS: EventObserver = {
  published: () => undefined,
  delivered: () => undefined,
  settled: () => undefined,
  observePending: () => () => undefined,
};

const byRegistry = new WeakMap<Registry, EventObserver>();

/**
 * `tusk_events_published_total{event_type, outcome}`, `tusk_events_delivered_total`,
 * `tusk_events_redelivered_total`, `tusk_events_settled_total{outcome}` (acked,
 * retried, dead_lettered), `tusk_events_handler_duration_seconds` and
 * `tusk_events_consumer_pending` per group; registered once per registry.
 */
export function eventMetrics(registry: Registry): EventObserver {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const groupLabels = ['group', 'event_type'] as const;
  const published = new Counter({ name: 'tusk_events_published_total', help: 'Events published, by outcome (stored, duplicate, failed).', labelNames: ['event_type', 'outcome'], registers: [registry] });
  const delivered = new Counter({ name: 'tusk_events_delivered_total', help: 'Deliveries to a consumer group, first attempts and redeliveries.', labelNames: groupLabels, registers: [registry] });
  const redelivered = new Counter({ name: 'tusk_events_redelivered_total', help: 'Deliveries after the first attempt.', labelNames: groupLabels, registers: [registry] });
  const settled = new Counter({ name: 'tusk_events_settled_total', help: 'How deliveries ended: acked, retried (after backoff) or dead_lettered.', labelNames: [...groupLabels, 'outcome'], registers: [registry] });
  const duration = new Histogram({ name: 'tusk_events_handler_duration_seconds', help: 'Event handler run time.', labelNames: [...groupLabels, 'outcome'], buckets: RPC_DURATION_BUCKETS, registers: [registry] });
  const readers = new Map<string, { labels: { group: string; event_type: string }; read: () => Promise<number> }>();
  new Gauge({
    name: 'tusk_events_consumer_pending', help: 'Events the consumer group has not acked yet (its lag).', labelNames: groupLabels, registers: [registry],
    async collect() {
      this.reset();
      await Promise.all([...readers.values()].map(async ({ labels, read }) => {
        const pending = await read().catch(() => undefined);
        if (pending !== undefined) this.set(labels, pending);
      }));
    },
  });
  const observer: EventObserver = {
    published: (type, outcome) => published.inc({ event_type: type, outcome }),
    delivered: (group, type, attempt) => {
      delivered.inc({ group, event_type: type });
      if (attempt > 1) redelivered.inc({ group, event_type: type });
    },
    settled: (group, type, outcome, handlerMs) => {
      settled.inc({ group, event_type: type, outcome });
      if (handlerMs > 0) duration.observe({ group, event_type: type, outcome }, handlerMs / 1000);
    },
    observePending: (group, type, read) => {
      const key = `${group}\u0000${type}`;
      readers.set(key, { labels: { group, event_type: type }, read });
      return () => readers.delete(key);
    },
  };
  byRegistry.set(registry, observer);
  return observer;
}

// The open-loop half of the events benchmark: publish at a fixed rate (not
// waiting for acks before the next one is due) and time each event from its
// publish call to its handler, so a slow consumer shows as latency instead of
// slowing the publisher down.
import { waitUntil } from '../examples/shared/wait.js';

export interface FixedRateResult {
  readonly sent: number;
  readonly received: number;
  readonly failedPublishes: number;
  /** Publish call → handler invoked, ms, sorted. */
  readonly latencies: Float64Array;
  /** The rate the publisher actually reached, events/s. */
  readonly achievedRate: number;
  /** CPU of this process (publisher and consumer both live here) per event sent, µs. */
  readonly cpuMicrosPerEvent: number;
}

/** Where a handler reports an event by its index; the first delivery of each index counts. */
export interface LatencyProbe {
  received(index: number): void;
}

/**
 * Publishes `count` events at `rate` per second (event i is due at i/rate s), then waits up
 * to `drainMs` for the handler to have seen every one. `publish(i, probe)` must carry i in the event.
 */
export async function fixedRate(
  rate: number,
  count: number,
  drainMs: number,
  run: (probe: LatencyProbe) => Promise<{ publish(index: number): Promise<unknown>; stop(): Promise<void> }>,
): Promise<FixedRateResult> {
  const sentAt = new Float64Array(count);
  const latency = new Float64Array(count).fill(Number.NaN);
  let received = 0;
  const probe: LatencyProbe = {
    received(index) {
      if (index >= 0 && index < count && Number.isNaN(latency[index]!) && sentAt[index]! > 0) {
        latency[index] = performance.now() - sentAt[index]!;
        received += 1;
      }
    },
  };
  const peer = await run(probe);
  let failedPublishes = 0;
  const acks: Promise<unknown>[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  try {
    while (next < count) {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      for (; next < due; next++) {
        sentAt[next] = performance.now();
        acks.push(peer.publish(next).catch(() => { failedPublishes += 1; }));
      }
      // A 1 ms timer is the finest Node offers; several events go out per wake-up when it fires late.
      if (next < count) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const publishSeconds = (performance.now() - started) / 1000;
    await Promise.all(acks);
    await waitUntil(() => received + failedPublishes >= count, drainMs, () => `${count - received} of ${count} events to reach the handler`, { intervalMs: 5 })
      .catch(() => undefined); // reported as received < sent
    const cpu = process.cpuUsage(cpuBefore);
    const seen = latency.filter((value) => !Number.isNaN(value)).sort();
    return { sent: count, received, failedPublishes, latencies: seen, achievedRate: count / publishSeconds, cpuMicrosPerEvent: (cpu.user + cpu.system) / count };
  } finally {
    await peer.stop();
  }
}

export const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

export interface DrainResult {
  readonly received: number;
  readonly seconds: number;
  /** CPU of this process per event while the consumer drained the backlog, µs. */
  readonly cpuMicrosPerEvent: number;
}

/**
 * Consumer throughput: `count` events are stored first (by `prefill`, 64 publishes in flight), then a fresh
 * consumer group drains them; timed from its subscribe call until the handler has seen every event.
 */
export async function drainBacklog(
  count: number,
  limitMs: number,
  prefill: (index: number) => Promise<unknown>,
  subscribe: (probe: LatencyProbe) => Promise<{ stop(): Promise<void> }>,
): Promise<DrainResult> {
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) await prefill(next++);
  }));
  const seen = new Uint8Array(count);
  let received = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const consumer = await subscribe({
    received(index) {
      if (index >= 0 && index < count && seen[index] === 0) {
        seen[index] = 1;
        received += 1;
      }
    },
  });
  try {
    await waitUntil(() => received >= count, limitMs, () => `${count - received} of ${count} stored events to be consumed`, { intervalMs: 2 })
      .catch(() => undefined); // reported as received < count
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return { received, seconds, cpuMicrosPerEvent: (cpu.user + cpu.system) / Math.max(1, received) };
  } finally {
    await consumer.stop();
  }
}

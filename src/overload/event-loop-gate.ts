// The overload signal for Node: one thread, so "CPU at 100 %" says little, but
// a loop whose timers fire late is a queue building up in front of every call.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type ELDHistogram } from 'node:perf_hooks';

export interface LoopReading {
  /** Share of the last interval the loop was busy, 0..1. */
  readonly utilization: number;
  /** p99 of how late the loop's timers ran in the last interval, ms. */
  readonly delayP99Ms: number;
  /** How long the reading covers: the gate's own timer runs late on a blocked loop. */
  readonly intervalMs: number;
}

export interface LoopThresholds {
  readonly maxLoopDelayMs: number;
  /** 1 = utilisation alone never counts as saturated. */
  readonly maxLoopUtilization: number;
}

export function loopSaturated(reading: LoopReading, thresholds: LoopThresholds): boolean {
  if (reading.delayP99Ms > thresholds.maxLoopDelayMs) return true;
  return thresholds.maxLoopUtilization < 1 && reading.utilization >= thresholds.maxLoopUtilization;
}

/** How often the gate reads the loop; also the pace of the admission stage's housekeeping. */
export const GATE_INTERVAL_MS = 100;
/** Resolution of the delay histogram's sampling timer. */
const DELAY_RESOLUTION_MS = 10;

/** Reads the loop every GATE_INTERVAL_MS and hands each reading on; its timer never keeps the process alive. */
export class EventLoopGate {
  private readonly delay: ELDHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  private lastReadAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(onReading: (reading: LoopReading) => void, intervalMs = GATE_INTERVAL_MS) {
    this.delay.enable();
    this.timer = setInterval(() => onReading(this.read()), intervalMs);
    this.timer.unref();
  }

  private read(): LoopReading {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.lastUtilization);
    this.lastUtilization = now;
    // The histogram counts from the resolution up: subtract it so an idle loop reads ~0.
    const delayP99Ms = this.delay.count === 0 ? 0 : Math.max(0, this.delay.percentile(99) / 1e6 - DELAY_RESOLUTION_MS);
    this.delay.reset();
    const readAt = performance.now();
    const intervalMs = readAt - this.lastReadAt;
    this.lastReadAt = readAt;
    return { utilization, delayP99Ms, intervalMs };
  }

  close(): void {
    clearInterval(this.timer);
    this.delay.disable();
  }
}

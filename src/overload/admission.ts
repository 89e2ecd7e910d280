// The admission stage's state: which calls run now, which are refused at once.
// The interceptor chain asks admit() when a call's metadata arrived (after
// auth) and release() when it ended; nothing else runs per call.
import { performance } from 'node:perf_hooks';
import type { MethodKind } from '../config/service-definition.js';
import type { OverloadSettings, Priority } from '../config/types.js';
import { Code } from '../status/codes.js';
import type { Logger } from '../telemetry/logger-types.js';
import { createLimiter } from './create-limiter.js';
import { EventLoopGate, loopSaturated, type LoopReading } from './event-loop-gate.js';
import type { Limiter } from './limiter.js';
import { MethodLatency } from './method-latency.js';
import { PRIORITY_HEADER, admissionThresholds, parsePriority, type AdmissionThresholds } from './priority.js';
import type { ShedReason } from '../status/overload-contract.js';
import { Refusals, type Refusal } from './rejection.js';

/** One admissible RPC: its priority and latency, looked up once per call by path. */
export class AdmittedMethod {
  readonly latency = new MethodLatency();
  /**
   * Unary and client-streaming calls hold a slot and are latency samples.
   * Server and bidi streams are refused when over the limit but hold no slot:
   * a long watch stream would otherwise take a slot for its whole life.
   */
  readonly holdsSlot: boolean;

  constructor(readonly path: string, readonly priority: Priority, kind: MethodKind) {
    this.holdsSlot = kind === 'unary' || kind === 'client_streaming';
  }
}

/** What admit() reads of a call (a ServerCallInfo). */
export interface AdmissionCall {
  readonly deadline: number | undefined;
  header(name: string): string | undefined;
}

/** Where the stage reports: the metrics (telemetry/overload-metrics.ts) in a server. */
export interface AdmissionObserver {
  state(limit: number, inFlight: number): void;
  shed(reason: ShedReason, priority: Priority): void;
}

export interface AdmissionOptions {
  readonly settings: OverloadSettings;
  readonly methods: readonly AdmittedMethod[];
  readonly logger: Logger;
  readonly observer?: AdmissionObserver;
  /** Default: a real EventLoopGate; false = none (unit tests drive onLoopReading()). */
  readonly gate?: false;
}

/** No refusal for this long ends a shedding episode (one log line each way). */
export const SHEDDING_QUIET_MS = 1_000;

/**
 * How long the loop must read saturated without a break before the limit backs
 * off: one late timer is a GC pause or a busy neighbour, not overload; a loop
 * blocked for longer than this is, even if that made a single (late) reading.
 */
export const SATURATED_FOR_MS = 250;

export class Admission {
  /** Admitted calls holding a slot. */
  inFlight = 0;
  private readonly methods = new Map<string, AdmittedMethod>();
  private readonly limiter: Limiter;
  private thresholds: AdmissionThresholds;
  private thresholdsLimit: number;
  private readonly refusals: Refusals;
  private readonly gate: EventLoopGate | undefined;
  private sheddingSince: number | undefined;
  private lastShedAt = 0;
  private shedInEpisode = 0;
  private saturatedForMs = 0;
  /** Most slots held at once since the last gate reading. */
  private peakInFlight = 0;

  constructor(private readonly options: AdmissionOptions) {
    for (const method of options.methods) this.methods.set(method.path, method);
    this.limiter = createLimiter(options.settings);
    this.thresholdsLimit = this.limiter.limit;
    this.thresholds = admissionThresholds(this.thresholdsLimit, options.settings);
    this.refusals = new Refusals(options.settings.pushbackMs);
    this.gate = options.gate === false ? undefined : new EventLoopGate((reading) => this.onLoopReading(reading));
  }

  get limit(): number {
    return this.limiter.limit;
  }

  get shedding(): boolean {
    return this.sheddingSince !== undefined;
  }

  /** The hosted method at this path; undefined for health, reflection and anything else never shed. */
  methodOf(path: string): AdmittedMethod | undefined {
    return this.methods.get(path);
  }

  /** undefined = admitted (a slot is taken when the method holds one); else the refusal to send at once. */
  admit(method: AdmittedMethod, call: AdmissionCall, now = Date.now()): Refusal | undefined {
    const { settings } = this.options;
    const priority = (settings.trustPriorityHeader && parsePriority(call.header(PRIORITY_HEADER))) || method.priority;
    if (this.inFlight >= this.thresholds[priority]) return this.refuse('OVERLOADED', priority);
    if (settings.deadlineAware && call.deadline !== undefined) {
      const typicalMs = method.latency.typicalAt(now);
      if (typicalMs !== undefined && call.deadline - now < typicalMs) return this.refuse('DEADLINE_TOO_SHORT', priority);
    }
    if (method.holdsSlot && ++this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    return undefined;
  }

  /**
   * An admitted slot-holding call ended. Only calls whose handler chose the
   * status in time are samples: cancelled calls and calls that outlived their
   * deadline measure the caller, not this server. But an admitted call that
   * ran out of deadline is work this server took on and could not finish in
   * time: a congestion signal (Netflix's "drop"). That is a call the transport
   * ended at its deadline (DEADLINE_EXCEEDED, unanswered), and as much one
   * that ended after its `deadline`, whatever its status: a blocked loop runs
   * the handlers' timers before the deadline timers, so they answer late, and
   * those answers would otherwise be samples. Without these signals, a server
   * where every call misses its deadline would have no samples and never
   * shrink its limit.
   */
  release(method: AdmittedMethod, durationMs: number, code: number, answered: boolean, deadline = Infinity, now = Date.now()): void {
    const inFlight = this.inFlight;
    this.inFlight = inFlight - 1;
    if (now > deadline || (!answered && code === Code.DEADLINE_EXCEEDED)) {
      this.limiter.backOff(inFlight);
      this.updateThresholds();
      return;
    }
    if (!answered || code === Code.CANCELLED || code === Code.DEADLINE_EXCEEDED) return;
    method.latency.record(durationMs, now);
    this.limiter.onSample(durationMs, inFlight);
    // Gradient2 moves once per short window: most samples leave the limit, and so the thresholds, as they were.
    if (this.limiter.limit !== this.thresholdsLimit) this.updateThresholds();
  }

  private updateThresholds(): void {
    this.thresholdsLimit = this.limiter.limit;
    this.thresholds = admissionThresholds(this.thresholdsLimit, this.options.settings);
  }

  private refuse(reason: ShedReason, priority: Priority): Refusal {
    this.options.observer?.shed(reason, priority);
    this.lastShedAt = performance.now();
    this.shedInEpisode++;
    if (this.sheddingSince === undefined) {
      this.sheddingSince = this.lastShedAt;
      this.options.logger.warn({ limit: Math.round(this.limiter.limit), in_flight: this.inFlight, reason, priority }, 'overload: shedding started');
    }
    return reason === 'OVERLOADED' ? this.refusals.overloadedFor(priority) : this.refusals.deadlineTooShort();
  }

  /**
   * Every gate interval: a loop saturated for SATURATED_FOR_MS in a row backs
   * the limit off below the most calls held at once since the last reading
   * (but at most to about half), unless those were too few (under min_limit)
   * to be its cause. A quiet second
   * ends a shedding episode.
   */
  onLoopReading(reading: LoopReading, now = performance.now()): void {
    const { settings, logger, observer } = this.options;
    const peak = this.peakInFlight;
    this.peakInFlight = this.inFlight;
    this.saturatedForMs = loopSaturated(reading, settings) ? this.saturatedForMs + reading.intervalMs : 0;
    if (this.saturatedForMs >= SATURATED_FOR_MS && peak >= settings.minLimit) {
      // At most about halved per reading: a stall at light load (a few calls in flight) must not cut a high limit to them.
      this.limiter.backOff(Math.max(peak, this.limiter.limit / 2));
      this.updateThresholds();
    }
    observer?.state(this.limiter.limit, this.inFlight);
    if (this.sheddingSince !== undefined && now - this.lastShedAt >= SHEDDING_QUIET_MS) {
      logger.info({ limit: Math.round(this.limiter.limit), shed: this.shedInEpisode, duration_ms: Math.round(this.lastShedAt - this.sheddingSince) }, 'overload: shedding stopped');
      this.sheddingSince = undefined;
      this.shedInEpisode = 0;
    }
  }

  close(): void {
    this.gate?.close();
  }
}

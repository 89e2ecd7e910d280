import { backedOff, clampLimit, type LimitBounds, type Limiter } from './limiter.js';

export interface Gradient2Settings extends LimitBounds {
  /** How far one measurement moves the limit toward its estimate (0..1]. */
  readonly smoothing: number;
  /** Calls averaged into one short-term latency measurement. */
  readonly shortWindow: number;
  /** Measurements in the long-term (baseline) exponential average. */
  readonly longWindow: number;
  /** Latency may reach this multiple of the baseline before the limit shrinks... */
  readonly tolerance: number;
  /** ...or this many ms over it, whichever allows more. */
  readonly latencySlackMs: number;
  /** Multiplicative decrease when the event-loop gate signals. */
  readonly backoffRatio: number;
}

/** Baseline above this multiple of the short latency: the baseline is stale (it rose during overload) and decays. */
const STALE_BASELINE_RATIO = 2;
const BASELINE_DECAY = 0.95;
/** The gradient never cuts the limit by more than half in one measurement. */
const MIN_GRADIENT = 0.5;
/**
 * A measurement over tolerance is congestion, not a new normal: it moves the
 * baseline this much slower, so sustained overload cannot drag the baseline
 * (and with it the accepted latency) upward, while a lasting change of the
 * handler's own cost is still followed, slowly.
 */
const CONGESTED_BASELINE_WEIGHT = 0.1;

/**
 * After Netflix concurrency-limits' Gradient2 (its README/Javadoc description):
 * compares a short-term latency (the mean of the last `shortWindow` calls) with
 * a long-term baseline (an exponential average over `longWindow` measurements).
 * gradient = clamp(allowed / short, 0.5, 1), allowed being the larger of
 * tolerance × baseline and baseline + latency_slack (an absolute allowance of
 * ours: sub-millisecond calls would otherwise count a few ms of queueing as
 * congestion and shed a saturating benchmark for nothing); the estimate is
 * limit × gradient + √limit (a small queue allowance, so the limit can probe
 * upward while latency holds), and the limit moves toward it by `smoothing`.
 * Unlike Gradient2, a congested measurement moves the baseline slower (see
 * CONGESTED_BASELINE_WEIGHT) and adds no queue allowance. While fewer than half the limit's slots were used the measurement says
 * nothing about the limit and is dropped (no growth while app-limited).
 */
export class Gradient2Limiter implements Limiter {
  private current: number;
  private baselineMs = 0;
  private windowSumMs = 0;
  private windowCount = 0;
  private windowMaxInFlight = 0;
  private readonly longAlpha: number;

  constructor(private readonly settings: Gradient2Settings) {
    this.current = clampLimit(settings.initialLimit, settings);
    this.longAlpha = 2 / (settings.longWindow + 1);
  }

  get limit(): number {
    return this.current;
  }

  /** The long-term latency the limit is judged against; 0 before the first measurement. */
  get baselineRttMs(): number {
    return this.baselineMs;
  }

  onSample(rttMs: number, inFlight: number): void {
    this.windowSumMs += rttMs;
    this.windowCount++;
    if (inFlight > this.windowMaxInFlight) this.windowMaxInFlight = inFlight;
    if (this.windowCount < this.settings.shortWindow) return;
    const shortMs = Math.max(this.windowSumMs / this.windowCount, 1e-3);
    const maxInFlight = this.windowMaxInFlight;
    this.windowSumMs = 0;
    this.windowCount = 0;
    this.windowMaxInFlight = 0;
    this.measure(shortMs, maxInFlight);
  }

  private measure(shortMs: number, maxInFlight: number): void {
    const { settings } = this;
    if (this.baselineMs === 0) this.baselineMs = shortMs;
    const allowedMs = Math.max(settings.tolerance * this.baselineMs, this.baselineMs + settings.latencySlackMs);
    const congested = shortMs > allowedMs;
    this.baselineMs += (shortMs - this.baselineMs) * this.longAlpha * (congested ? CONGESTED_BASELINE_WEIGHT : 1);
    if (this.baselineMs / shortMs > STALE_BASELINE_RATIO) this.baselineMs *= BASELINE_DECAY;
    if (maxInFlight < this.current / 2) return;
    const gradient = Math.max(MIN_GRADIENT, Math.min(1, Math.max(settings.tolerance * this.baselineMs, this.baselineMs + settings.latencySlackMs) / shortMs));
    // The queue allowance probes upward only while latency holds: added under congestion too (as in Gradient2), it
    // puts a floor under the limit (L = 0.5 L + √L at the steepest gradient: 4) however bad the latency gets.
    const estimate = this.current * gradient + (congested ? 0 : Math.sqrt(this.current));
    this.current = clampLimit(this.current * (1 - settings.smoothing) + estimate * settings.smoothing, settings);
  }

  backOff(inUse: number): void {
    this.current = backedOff(this.current, inUse, this.settings.backoffRatio, this.settings);
  }
}

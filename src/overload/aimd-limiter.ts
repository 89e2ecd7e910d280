import { backedOff, clampLimit, type LimitBounds, type Limiter } from './limiter.js';

export interface AimdSettings extends LimitBounds {
  /** An accepted call slower than this is a congestion signal. */
  readonly latencyThresholdMs: number;
  /** Multiplicative decrease on a congestion signal, e.g. 0.9. */
  readonly backoffRatio: number;
}

/**
 * Additive increase, multiplicative decrease (TCP Reno's window): +1 per fast
 * call while the limit is in use, ×backoffRatio per slow call or gate signal.
 */
export class AimdLimiter implements Limiter {
  private current: number;

  constructor(private readonly settings: AimdSettings) {
    this.current = clampLimit(settings.initialLimit, settings);
  }

  get limit(): number {
    return this.current;
  }

  onSample(rttMs: number, inFlight: number): void {
    if (rttMs > this.settings.latencyThresholdMs) {
      this.current = clampLimit(this.current * this.settings.backoffRatio, this.settings);
      return;
    }
    // Grow only when the limit is what holds calls back: an idle server proves nothing about a higher one.
    if (inFlight * 2 >= this.current) this.current = clampLimit(this.current + 1, this.settings);
  }

  backOff(inUse: number): void {
    this.current = backedOff(this.current, inUse, this.settings.backoffRatio, this.settings);
  }
}

/**
 * A concurrency limit that adapts to what the server observes. The admission
 * stage (admission.ts) feeds it clean samples only: calls it admitted that
 * finished with a status their handler chose (never cancelled calls, never
 * calls that missed their deadline, never rejected ones), so a refusal can
 * neither grow nor shrink the limit.
 */
export interface Limiter {
  /** Calls that may run at once; fractional, the admission stage compares in-flight counts against it. */
  readonly limit: number;
  /** One admitted call finished: its latency, and the admitted calls in flight when it started. */
  onSample(rttMs: number, inFlight: number): void;
  /**
   * A congestion signal from outside the samples (the event-loop gate, an
   * admitted call that ran out of deadline) while `inUse` slots were held:
   * that many were already too many, so the limit drops below it at once
   * (×backoff_ratio), however high it had been.
   */
  backOff(inUse: number): void;
}

/** The bounds every limiter keeps to. */
export interface LimitBounds {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
}

export const clampLimit = (limit: number, bounds: LimitBounds): number => Math.min(bounds.maxLimit, Math.max(bounds.minLimit, limit));

/** The shared congestion response: below both the current limit and what was in use, by `ratio`. */
export const backedOff = (limit: number, inUse: number, ratio: number, bounds: LimitBounds): number => clampLimit(Math.min(limit, inUse) * ratio, bounds);

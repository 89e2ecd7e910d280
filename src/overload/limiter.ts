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
  /** A congestion signal from outside the samples (the event-loop gate): shrink now. */
  backOff(): void;
}

/** The bounds every limiter keeps to. */
export interface LimitBounds {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
}

export const clampLimit = (limit: number, bounds: LimitBounds): number => Math.min(bounds.maxLimit, Math.max(bounds.minLimit, limit));

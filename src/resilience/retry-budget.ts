export interface RetryBudgetOptions {
  /** Retries allowed as a fraction of calls (0.2 = 20%). */
  readonly ratio: number;
  /** Sliding window length. */
  readonly windowMs?: number;
  /** Retries always allowed per second of window, so a quiet client can still retry (Finagle's minRetriesPerSec). */
  readonly minRetriesPerSecond?: number;
  readonly now?: () => number;
}

const BUCKETS = 10;

/**
 * Retries ≤ ratio × calls (+ a small floor) over a sliding window made of ten
 * buckets. When a dependency is down every call fails, and without a budget
 * each would multiply into max_attempts calls: a retry storm.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly bucketMs: number;
  private readonly floor: number;
  private readonly now: () => number;
  private readonly calls = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private bucketStart: number;
  private current = 0;
  private callTotal = 0;
  private retryTotal = 0;

  constructor(options: RetryBudgetOptions) {
    const windowMs = options.windowMs ?? 10_000;
    this.ratio = Math.max(0, options.ratio);
    this.bucketMs = windowMs / BUCKETS;
    this.floor = (options.minRetriesPerSecond ?? 10) * (windowMs / 1000);
    this.now = options.now ?? Date.now;
    this.bucketStart = this.now();
  }

  /** Counts one call (not its retries). */
  recordCall(): void {
    this.rotate();
    this.calls[this.current]!++;
    this.callTotal++;
  }

  /** Takes one retry from the budget; false when the budget is spent and the call must not be retried. */
  tryRetry(): boolean {
    this.rotate();
    if (this.retryTotal + 1 > this.ratio * this.callTotal + this.floor) return false;
    this.retries[this.current]!++;
    this.retryTotal++;
    return true;
  }

  private rotate(): void {
    const now = this.now();
    if (now - this.bucketStart < this.bucketMs) return;
    const steps = Math.min(BUCKETS, Math.floor((now - this.bucketStart) / this.bucketMs));
    for (let i = 0; i < steps; i++) {
      this.current = (this.current + 1) % BUCKETS;
      this.callTotal -= this.calls[this.current]!;
      this.retryTotal -= this.retries[this.current]!;
      this.calls[this.current] = 0;
      this.retries[this.current] = 0;
    }
    this.bucketStart += steps * this.bucketMs;
    if (now - this.bucketStart >= this.bucketMs) this.bucketStart = now;
  }
}

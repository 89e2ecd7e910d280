/** Samples before a method's typical latency is trusted for deadline-aware admission. */
export const MIN_LATENCY_SAMPLES = 20;
/** Weight of one sample in the moving average: about the last 20 calls. */
const ALPHA = 0.1;
/**
 * An average no sample has confirmed for this many times itself is stale: the
 * calls it refuses are never samples, so after one stall (every call slow,
 * the average past the callers' deadlines) it would refuse the method for
 * good. Stale, it refuses nothing until a new sample comes (the concurrency
 * limit still bounds what runs).
 */
const STALE_AFTER_AVERAGES = 2;

/**
 * A method's recent typical latency: an exponential moving average of its
 * accepted calls' durations (clean samples only, like the limiter's). Cheap:
 * two numbers per method, no allocation per call.
 */
export class MethodLatency {
  private averageMs = 0;
  private samples = 0;
  private lastSampleAt = 0;

  record(durationMs: number, now = Date.now()): void {
    this.averageMs = this.samples === 0 ? durationMs : this.averageMs + (durationMs - this.averageMs) * ALPHA;
    if (this.samples < MIN_LATENCY_SAMPLES) this.samples++;
    this.lastSampleAt = now;
  }

  /** undefined until MIN_LATENCY_SAMPLES calls were seen (a method's first calls always run), and while stale. */
  typicalAt(now: number): number | undefined {
    if (this.samples < MIN_LATENCY_SAMPLES || now - this.lastSampleAt > STALE_AFTER_AVERAGES * this.averageMs) return undefined;
    return this.averageMs;
  }

  get typicalMs(): number | undefined {
    return this.typicalAt(Date.now());
  }
}

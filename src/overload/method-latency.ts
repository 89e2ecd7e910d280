/** Samples before a method's typical latency is trusted for deadline-aware admission. */
export const MIN_LATENCY_SAMPLES = 20;
/** Weight of one sample in the moving average: about the last 20 calls. */
const ALPHA = 0.1;

/**
 * A method's recent typical latency: an exponential moving average of its
 * accepted calls' durations (clean samples only, like the limiter's). Cheap:
 * two numbers per method, no allocation per call.
 */
export class MethodLatency {
  private averageMs = 0;
  private samples = 0;

  record(durationMs: number): void {
    this.averageMs = this.samples === 0 ? durationMs : this.averageMs + (durationMs - this.averageMs) * ALPHA;
    if (this.samples < MIN_LATENCY_SAMPLES) this.samples++;
  }

  /** undefined until MIN_LATENCY_SAMPLES calls were seen: a method's first calls always run. */
  get typicalMs(): number | undefined {
    return this.samples < MIN_LATENCY_SAMPLES ? undefined : this.averageMs;
  }
}

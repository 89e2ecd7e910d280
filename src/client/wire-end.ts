// When a held stream is over on the wire, for streams whose consumer never closes them (pipeline.ts).

/** How long a stream over on the wire may wait for its consumer to end it before the pipeline does. */
const ABANDONED_STREAM_GRACE_MS = 1_000;

/**
 * A held stream normally ends when its consumer is done with it. One the
 * consumer abandoned (read a message, then neither read on nor closed it)
 * would keep its bulkhead slot and span forever: once the transport reports
 * the call over on the wire (e.g. its deadline passed), the stream is ended
 * with that outcome if its consumer has not ended it within a grace period.
 */
export class WireEnd {
  private outcome: { readonly error: unknown } | undefined;
  private end: ((error?: unknown) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  readonly report = (error: unknown): void => {
    if (this.outcome !== undefined || this.stopped) return;
    this.outcome = { error };
    if (this.end !== undefined) this.arm();
  };

  hold(end: (error?: unknown) => void): void {
    this.end = end;
    if (this.outcome !== undefined) this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(): void {
    const { end, outcome } = this;
    this.timer = setTimeout(() => end!(outcome!.error), ABANDONED_STREAM_GRACE_MS);
    this.timer.unref();
  }
}

// CallOptions.onHeader / onTrailer across a call's attempts (pipeline.ts).

type Report = (metadata: Readonly<Record<string, string>>) => void;

/**
 * Reports response header and trailer to the caller for the attempt that
 * ends the call only: one that failed and was retried reports nothing. An
 * attempt's metadata is held until the pipeline knows it is the last one
 * (`settle`: the call settled, or a stream got its first message and will not
 * be retried); from then on it passes straight through (a stream's trailer).
 */
export class AttemptMetadata {
  private header: Readonly<Record<string, string>> | undefined;
  private trailer: Readonly<Record<string, string>> | undefined;
  private attempt = 0;
  private settled = false;

  constructor(
    private readonly onHeader: Report | undefined,
    private readonly onTrailer: Report | undefined,
  ) {}

  /** The callbacks for the next attempt's transport options; what an earlier attempt left is dropped. */
  next(): { readonly onHeader: Report | undefined; readonly onTrailer: Report | undefined } {
    const attempt = ++this.attempt;
    this.header = undefined;
    this.trailer = undefined;
    return {
      onHeader: this.onHeader === undefined ? undefined : (header) => this.received(attempt, header, this.onHeader!, (held) => (this.header = held)),
      onTrailer: this.onTrailer === undefined ? undefined : (trailer) => this.received(attempt, trailer, this.onTrailer!, (held) => (this.trailer = held)),
    };
  }

  /** The current attempt is the call's last: report what it received so far, and what follows as it comes. */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.header !== undefined) this.onHeader?.(this.header);
    if (this.trailer !== undefined) this.onTrailer?.(this.trailer);
  }

  private received(attempt: number, metadata: Readonly<Record<string, string>>, report: Report, hold: (metadata: Readonly<Record<string, string>>) => void): void {
    if (attempt !== this.attempt) return; // an attempt that was given up
    if (this.settled) report(metadata);
    else hold(metadata);
  }
}

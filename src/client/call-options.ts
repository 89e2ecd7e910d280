import type { CallContext } from '../server/call-context.js';

/** Per-call options of every generated client method. */
export interface CallOptions {
  /** Propagate the parent's remaining deadline, cancellation and trace. */
  readonly parent?: CallContext;
  /** Overall timeout in ms; the earlier of this, `deadline` and the parent's wins. */
  readonly timeout?: number;
  /** Absolute deadline (Date or epoch ms). */
  readonly deadline?: Date | number;
  readonly signal?: AbortSignal;
  readonly metadata?: Readonly<Record<string, string>>;
  /** ring_hash balancer: calls with the same key go to the same endpoint. */
  readonly hashKey?: string;
  /**
   * Called once with the response headers of the attempt that ended the call (a retried attempt's
   * are dropped): when the call settles, for a stream with its first message; text records, `-bin`
   * values base64. Not called when the server answered with trailers only (a failure before any
   * header or message).
   */
  readonly onHeader?: (header: Readonly<Record<string, string>>) => void;
  /** Called once with the response trailers of the attempt that ended the call, on success and on failure. */
  readonly onTrailer?: (trailer: Readonly<Record<string, string>>) => void;
}

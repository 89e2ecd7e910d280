import { REQUEST_ID_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../telemetry/propagation.js';
import type { CallOptions } from './call-options.js';

/** What one call carries through every attempt: its overall deadline, cancellation and outgoing metadata. */
export interface CallScope {
  /** Epoch ms; undefined = no deadline. */
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly hashKey: string | undefined;
  readonly onHeader: CallOptions['onHeader'];
  readonly onTrailer: CallOptions['onTrailer'];
}

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The overall deadline is the earliest of: `timeout` from the call options
 * (else the method's configured timeout), `deadline`, and the parent's
 * remaining deadline. The call is cancelled by its own signal or the parent's.
 * The parent's trace context and request id travel as metadata.
 */
export function callScope(options: CallOptions | undefined, methodTimeoutMs: number): CallScope {
  const now = Date.now();
  const timeout = options?.timeout ?? methodTimeoutMs;
  let deadline = timeout > 0 && Number.isFinite(timeout) ? now + timeout : undefined;
  if (options === undefined) return { deadline, signal: undefined, metadata: NO_METADATA, hashKey: undefined, onHeader: undefined, onTrailer: undefined };
  deadline = earliest(deadline, options.deadline instanceof Date ? options.deadline.getTime() : options.deadline);
  const parent = options.parent;
  deadline = earliest(deadline, parent?.deadline);
  const signals = [options.signal, parent?.signal].filter((signal): signal is AbortSignal => signal !== undefined);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  return { deadline, signal, metadata: outgoingMetadata(options), hashKey: options.hashKey, onHeader: options.onHeader, onTrailer: options.onTrailer };
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function outgoingMetadata(options: CallOptions): Readonly<Record<string, string>> {
  const parent = options.parent;
  if (parent === undefined) return options.metadata ?? NO_METADATA;
  const metadata: Record<string, string> = {};
  if (parent.requestId) metadata[REQUEST_ID_HEADER] = parent.requestId;
  if (parent.trace.traceparent) metadata[TRACEPARENT_HEADER] = parent.trace.traceparent;
  if (parent.trace.tracestate) metadata[TRACESTATE_HEADER] = parent.trace.tracestate;
  return options.metadata === undefined ? metadata : { ...metadata, ...options.metadata };
}

/** The deadline of one attempt: its own timeout, but never past the call's overall deadline. */
export function attemptDeadline(overall: number | undefined, perTryTimeoutMs: number | undefined): number | undefined {
  if (perTryTimeoutMs === undefined || perTryTimeoutMs <= 0) return overall;
  return earliest(overall, Date.now() + perTryTimeoutMs);
}

import { CallerError } from '../resilience/failure.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../telemetry/propagation.js';
import { isLegalMetadataKey, isLegalMetadataText } from '../wire/metadata.js';
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
 * remaining deadline. A timeout ≤ 0 or NaN, or an invalid Date, is a deadline
 * that has already passed, never "no deadline"; only `timeout: Infinity`
 * asks for none. The call is cancelled by its own signal or the parent's.
 * The parent's trace context and request id travel as metadata. Metadata
 * grpc-js would refuse is the caller's mistake: INVALID_ARGUMENT, thrown here.
 */
export function callScope(options: CallOptions | undefined, methodTimeoutMs: number): CallScope {
  const now = Date.now();
  const timeout = options?.timeout ?? methodTimeoutMs;
  let deadline = timeout === Infinity ? undefined : timeout > 0 ? now + timeout : now;
  if (options === undefined) return { deadline, signal: undefined, metadata: NO_METADATA, hashKey: undefined, onHeader: undefined, onTrailer: undefined };
  if (options.metadata !== undefined) checkMetadata(options.metadata);
  deadline = earliest(deadline, epochMs(options.deadline, now));
  const parent = options.parent;
  deadline = earliest(deadline, parent?.deadline);
  const signals = [options.signal, parent?.signal].filter((signal): signal is AbortSignal => signal !== undefined);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  return { deadline, signal, metadata: outgoingMetadata(options), hashKey: options.hashKey, onHeader: options.onHeader, onTrailer: options.onTrailer };
}

/** Why the call must not go (further) now: CANCELLED when its signal aborted, DEADLINE_EXCEEDED when its deadline passed. */
export function scopeEnded(scope: CallScope): TuskError | undefined {
  if (scope.signal?.aborted) return new TuskError(Code.CANCELLED, 'call cancelled');
  if (scope.deadline !== undefined && scope.deadline <= Date.now()) return new TuskError(Code.DEADLINE_EXCEEDED, 'deadline exceeded before the call was sent');
  return undefined;
}

function epochMs(deadline: Date | number | undefined, now: number): number | undefined {
  if (deadline === undefined) return undefined;
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isNaN(ms) ? now : ms;
}

/**
 * The rules of grpc-js's Metadata.set (which throws a plain Error), checked before the call starts. Values are never
 * quoted in the message: metadata often carries credentials.
 */
function checkMetadata(metadata: Readonly<Record<string, string>>): void {
  for (const key in metadata) {
    const value: unknown = metadata[key];
    let problem: string | undefined;
    if (!isLegalMetadataKey(key.toLowerCase())) problem = 'the key has characters other than a-z, 0-9, "-", "_" and "."';
    else if (typeof value !== 'string') problem = 'the value is not a string';
    else if (!key.endsWith('-bin') && !isLegalMetadataText(value)) problem = 'the value is not printable ASCII (binary values need a "-bin" key, base64-encoded)';
    if (problem !== undefined) throw new CallerError(Code.INVALID_ARGUMENT, `metadata ${JSON.stringify(key)}: ${problem}`);
  }
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

/**
 * The deadline of one attempt: its own timeout, but never past the call's overall deadline.
 * When the result differs from `overall`, the per-try timeout is the earlier one: its expiry is the attempt's, not the caller's.
 */
export function attemptDeadline(overall: number | undefined, perTryTimeoutMs: number | undefined): number | undefined {
  if (perTryTimeoutMs === undefined) return overall;
  return earliest(overall, Date.now() + perTryTimeoutMs);
}

// What a server's "not now" answer says to a client: the standard gRPC retry
// pushback (A6) and tusk-grpc's overload contract (README "Clients under pushback").
import { Code } from '../status/codes.js';
import { wasRelayed } from '../status/downstream.js';
import { TuskError } from '../status/tusk-error.js';

import { DEADLINE_TOO_SHORT_REASON, OVERLOADED_REASON, OVERLOAD_DOMAIN, PUSHBACK_TRAILER } from '../status/overload-contract.js';

export { DEADLINE_TOO_SHORT_REASON, OVERLOADED_REASON, OVERLOAD_DOMAIN, PUSHBACK_TRAILER };

/** A pushback longer than this is read as this: a typo on the server must not park an endpoint for days. */
export const MAX_PUSHBACK_MS = 60_000;

/**
 * A pushback trailer's value: the delay in ms, `null` when the server asked
 * not to retry at all (A6: a negative or unparseable value), `undefined` when
 * there is no trailer. Stricter than grpc-js's parseInt: "12abc" is not 12.
 */
export function parsePushback(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d+$/.test(text)) return null;
  return Math.min(Number(text), MAX_PUSHBACK_MS);
}

/** The pushback each received error came with (set where the transport builds its TuskError). */
const pushbacks = new WeakMap<TuskError, number | null>();

export function markPushback<E extends TuskError>(error: E, pushback: number | null | undefined): E {
  if (pushback !== undefined) pushbacks.set(error, pushback);
  return error;
}

/**
 * How long the answering server asked this client to stay away: the pushback
 * trailer, else the RetryInfo detail (google.rpc.RetryInfo.retry_delay).
 * `null` = do not retry; `undefined` = the server said nothing. A relayed error
 * is a dependency's answer, not the endpoint's: it says nothing.
 */
export function pushbackOf(error: unknown): number | null | undefined {
  if (!(error instanceof TuskError) || wasRelayed(error)) return undefined;
  const fromTrailer = pushbacks.get(error);
  if (fromTrailer !== undefined) return fromTrailer;
  const retryDelayMs = error.details?.retryInfo?.retryDelayMs;
  if (retryDelayMs === undefined || !Number.isFinite(retryDelayMs)) return undefined;
  return retryDelayMs < 0 ? null : Math.min(retryDelayMs, MAX_PUSHBACK_MS);
}

/**
 * A tusk-grpc server refused the call at admission (UNAVAILABLE + ErrorInfo
 * OVERLOADED): it was provably not processed, so like a call never sent it may
 * be retried on another endpoint for any method, idempotent or not.
 */
export function wasShed(error: unknown): boolean {
  return error instanceof TuskError && error.code === Code.UNAVAILABLE && !wasRelayed(error) && hasReason(error, OVERLOADED_REASON);
}

/** The server refused the call because its deadline could not be met: never retried (the deadline only gets shorter). */
export function wasDeadlineTooShort(error: unknown): boolean {
  return error instanceof TuskError && error.code === Code.DEADLINE_EXCEEDED && hasReason(error, DEADLINE_TOO_SHORT_REASON);
}

/**
 * The endpoint answered "busy", not "broken": a shed, a refusal for a too
 * short deadline, or any status with a pushback. It is alive and answering,
 * so its breaker ignores it; the balancer counts it as load.
 */
export function isOverloadAnswer(error: unknown): boolean {
  if (!(error instanceof TuskError) || wasRelayed(error)) return false;
  return wasShed(error) || wasDeadlineTooShort(error) || pushbacks.has(error);
}

function hasReason(error: TuskError, reason: string): boolean {
  const info = error.details?.errorInfo;
  return info !== undefined && info.domain === OVERLOAD_DOMAIN && info.reason === reason;
}

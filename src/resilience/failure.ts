import { Code, codeFromName } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { wasRelayed } from '../status/downstream.js';
import { isOverloadAnswer } from './pushback.js';

/**
 * A failure that provably happened before the request reached any server
 * (no connection could be established, or an endpoint's breaker refused the
 * call), so retrying it cannot execute the method twice: any method may be
 * retried after it, idempotent or not.
 */
export class NotSentError extends TuskError {
  constructor(code: Code, message: string) {
    super(code, message);
  }
}

/**
 * The endpoint answered, refusing the stream (RST_STREAM REFUSED_STREAM): a
 * connection it is closing (GOAWAY, e.g. max_connection_age recycling it) or
 * its stream limit. Not sent, so retried like any NotSentError, but the
 * endpoint is up: no breaker counts it.
 */
export class RefusedStreamError extends NotSentError {}

export function wasNotSent(error: unknown): boolean {
  return error instanceof NotSentError;
}

/** Every endpoint discovery lists has its circuit open: fail fast. */
export class CircuitOpenError extends TuskError {
  constructor(service: string, known: number) {
    super(Code.UNAVAILABLE, `circuit open: all ${known} endpoints of ${service} are failing`);
  }
}

/**
 * Every endpoint the client could use asked it to back off (pushback) or is
 * at its client-side adaptive limit: the call fails fast here, unsent, instead
 * of piling onto busy instances. Retried like any unsent call, after the
 * earliest pushback ends (pipeline.ts).
 */
export class EndpointsBusyError extends NotSentError {
  constructor(service: string, busy: number, readonly retryAfterMs: number) {
    super(Code.UNAVAILABLE, `all ${busy} usable endpoints of ${service} are busy: ${retryAfterMs > 0 ? `they asked for no calls for ${Math.ceil(retryAfterMs)} ms more` : 'at their adaptive limit'}`);
  }
}

/** No endpoint to try at all: discovery has not answered yet, or it lists none. */
export class NoEndpointError extends TuskError {
  constructor(service: string, discoveryAnswered: boolean, waitedMs?: number) {
    const why = discoveryAnswered ? 'discovery lists none' : `discovery has not answered${waitedMs === undefined ? '' : ` within ${Math.round(waitedMs)} ms`}`;
    super(Code.UNAVAILABLE, `no endpoint known for ${service}: ${why}`);
  }
}

/**
 * The caller's own mistake, found before or while sending: metadata grpc-js
 * refuses, a request that does not encode, a request stream that throws.
 * It says nothing about the endpoint, so it never counts against one.
 */
export class CallerError extends TuskError {
  constructor(code: Code, message: string, cause?: unknown) {
    super(code, message);
    this.cause = cause;
  }
}

/** Codes `circuit_breaker.on` may list: the ones a failing endpoint (not a request or a caller) can cause. */
export const BREAKER_COUNTABLE_CODES: readonly string[] = ['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INTERNAL', 'UNKNOWN', 'DATA_LOSS', 'RESOURCE_EXHAUSTED', 'UNIMPLEMENTED'];

/**
 * Which failures say an endpoint is failing (and so trip its breaker and make
 * it look slow to the balancer). Always: a connection that could not be made.
 * Then the codes of `circuit_breaker.on`, except that DEADLINE_EXCEEDED counts
 * only when the attempt's own per-try timeout expired: the caller's overall
 * deadline says how patient the caller is, not how healthy the endpoint is.
 * Caller mistakes, cancellations and anything that is not a TuskError never count.
 */
export class EndpointFailureRule {
  private readonly codes: ReadonlySet<number>;

  constructor(codeNames: readonly string[]) {
    this.codes = new Set(codeNames.map(codeFromName).filter((code): code is Code => code !== undefined));
  }

  counts(error: unknown, perTryTimeoutExpired: boolean): boolean {
    if (!(error instanceof TuskError) || error instanceof CallerError) return false;
    if (wasRelayed(error)) return false; // the endpoint passed on its own dependency's failure: it answered fine
    if (error instanceof RefusedStreamError) return false; // it answered: a connection being recycled, not a failing endpoint
    if (isOverloadAnswer(error)) return false; // busy, not broken: it answered "not now" (shed, pushback, deadline too short)
    if (error instanceof EndpointsBusyError) return false;
    if (error instanceof NotSentError) return error.code === Code.UNAVAILABLE; // no connection; else the caller's deadline or signal ended the wait
    if (error.code === Code.DEADLINE_EXCEEDED) return perTryTimeoutExpired && this.codes.has(Code.DEADLINE_EXCEEDED);
    return error.code !== Code.CANCELLED && this.codes.has(error.code);
  }
}

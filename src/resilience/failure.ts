import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';

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

export function wasNotSent(error: unknown): boolean {
  return error instanceof NotSentError;
}

/** Thrown when no endpoint can take the call: none known, or every breaker open. */
export class CircuitOpenError extends TuskError {
  /** `known`: how many endpoints discovery lists (all with open breakers); 0 = none known. */
  constructor(service: string, known = 0) {
    super(Code.UNAVAILABLE, known === 0 ? `circuit open: no endpoints known for ${service}` : `circuit open: all ${known} endpoints of ${service} are failing`);
  }
}

/** Codes that say an endpoint is unhealthy (they trip its breaker); business errors do not. */
const ENDPOINT_FAILURE_CODES = new Set<number>([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED, Code.INTERNAL, Code.UNKNOWN, Code.DATA_LOSS]);

export function isEndpointFailure(error: unknown): boolean {
  return error instanceof TuskError ? ENDPOINT_FAILURE_CODES.has(error.code) : true;
}

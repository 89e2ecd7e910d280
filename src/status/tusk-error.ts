import { Code, codeName } from './codes.js';
import type { ErrorDetails } from './error-details.js';

/**
 * The error a handler throws to send a specific status, and the error a client
 * call rejects with. `details` travels as a standard google.rpc.Status in the
 * `grpc-status-details-bin` trailer (BadRequest for `fieldViolations`, ...), so
 * callers in any language get structured errors back.
 */
export class TuskError extends Error {
  readonly code: Code;
  /** undefined when the error carries no details. */
  readonly details: ErrorDetails | undefined;

  constructor(code: Code, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'TuskError';
    this.code = code;
    this.details = details;
  }

  get codeName(): string {
    return codeName(this.code);
  }
}

export function isTuskError(error: unknown): error is TuskError {
  return error instanceof TuskError;
}

/** What a thrown value says, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whatever went wrong, the caller gets a TuskError with a gRPC code (a plain Error is a bug below or around us: UNKNOWN, the Error its cause). */
export function asTuskError(error: unknown): TuskError {
  if (error instanceof TuskError) return error;
  const wrapped = new TuskError(Code.UNKNOWN, messageOf(error));
  wrapped.cause = error;
  return wrapped;
}

import { Code, codeName } from './codes.js';

/**
 * The error a handler throws to send a specific status, and the error a client
 * call rejects with. `details` travels as JSON in the `tusk-error-details-bin`
 * trailer so callers get structured field errors back.
 */
export class TuskError extends Error {
  readonly code: Code;
  readonly details: unknown;

  constructor(code: Code, message: string, details?: unknown) {
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

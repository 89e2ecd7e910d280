import { isTuskError, type TuskError } from '../status/tusk-error.js';
import type { LogFn, Logger } from '../telemetry/logger-types.js';

/** An error as logged: what and where, never its `details` (field errors may quote personal data). */
function loggableError(error: TuskError): Record<string, unknown> {
  return { type: error.name, message: error.message, code: error.codeName, stack: error.stack };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * The server's logger and every call logger derived from it: a TuskError
 * logged as `err` loses its details. Only the error's message, code and
 * stack reach the log; request fields are never logged by the runtime.
 */
export function redactingLogger(logger: Logger): Logger {
  const wrapped = {} as Logger;
  for (const level of LEVELS) {
    const log = logger[level].bind(logger) as (...args: unknown[]) => void;
    wrapped[level] = ((first: unknown, ...rest: unknown[]) => {
      if (typeof first === 'object' && first !== null && isTuskError((first as { err?: unknown }).err)) {
        const fields = first as { err: TuskError };
        return log({ ...fields, err: loggableError(fields.err) }, ...rest);
      }
      return log(first, ...rest);
    }) as LogFn;
  }
  wrapped.child = (bindings) => redactingLogger(logger.child(bindings));
  if (logger.isLevelEnabled) wrapped.isLevelEnabled = logger.isLevelEnabled.bind(logger);
  return wrapped;
}

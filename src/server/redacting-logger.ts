import { isTuskError, type TuskError } from '../status/tusk-error.js';
import { loggableError } from '../telemetry/logger.js';
import type { LogFn, Logger } from '../telemetry/logger-types.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * A logger the application passed in, and every call logger derived from it:
 * a TuskError logged as `err` loses its details (createLogger's own loggers
 * do this with a pino serializer and need no wrapper). Only the error's message, code and
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

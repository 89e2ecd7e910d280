// Used when the caller passes no logger: problems still reach stderr, routine
// chatter stays quiet. The telemetry module's pino logger replaces it.
import type { Logger, LogFn } from '../telemetry/logger-types.js';

export function createFallbackLogger(bindings: Record<string, unknown> = {}): Logger {
  const quiet: LogFn = () => undefined;
  const loud = (level: string): LogFn =>
    ((fieldsOrMessage: Record<string, unknown> | string, message?: string) => {
      const fields = typeof fieldsOrMessage === 'string' ? {} : fieldsOrMessage;
      const text = typeof fieldsOrMessage === 'string' ? fieldsOrMessage : message;
      const record = { level, time: Date.now(), ...bindings, ...serializable(fields), msg: text };
      process.stderr.write(`${JSON.stringify(record)}\n`);
    }) as LogFn;
  return {
    trace: quiet,
    debug: quiet,
    info: quiet,
    warn: loud('warn'),
    error: loud('error'),
    child: (more) => createFallbackLogger({ ...bindings, ...more }),
  };
}

function serializable(fields: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) result[key] = value instanceof Error ? value.message : value;
  return result;
}

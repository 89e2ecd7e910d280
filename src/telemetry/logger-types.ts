/** The logging surface the runtime relies on; a pino logger satisfies it. */
export interface LogFn {
  (message: string): void;
  (fields: Record<string, unknown>, message?: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  /** pino's: lets hot paths skip building fields for a level that is off. */
  isLevelEnabled?(level: string): boolean;
}

import { OneLineError } from '../status/fatal.js';

/**
 * A descriptor value that cannot be used when a process loads it, e.g.
 * `user/v1/user.tsk:5:7: [service] port: USER_PORT="abc" is not a number`.
 * Names the .tsk file, the `line:col` when the value at fault has one (every
 * `@env` does), the section and key, and the environment variable when one is to blame.
 */
export class ConfigError extends OneLineError {
  /** The .tsk file, or `<service> (no .tsk)`. */
  readonly source: string;
  /** `[section] key.path` */
  readonly where: string;
  readonly variable: string | undefined;
  /** `line:col` in the .tsk; undefined when the value has no position (a contract variable, a hand-built descriptor). */
  readonly at: string | undefined;

  constructor(source: string, where: string, detail: string, variable?: string, at?: string) {
    super(`${source}${at === undefined ? '' : `:${at}`}: ${where}: ${detail}`);
    this.name = 'ConfigError';
    this.source = source;
    this.where = where;
    this.variable = variable;
    this.at = at;
  }
}

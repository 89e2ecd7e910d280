import type { Logger } from '../telemetry/logger-types.js';
import type { ActiveCalls } from './active-calls.js';

/** What every method adapter needs besides the handler itself. */
export interface HandlerEnv {
  /** Full service name, e.g. "user.v1.UserService". */
  readonly service: string;
  /** Proto method name, e.g. "GetUser". */
  readonly method: string;
  readonly logger: Logger;
  readonly activeCalls: ActiveCalls;
}

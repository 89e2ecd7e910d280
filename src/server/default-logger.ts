import { pino } from 'pino';
import type { Logger } from '../telemetry/logger-types.js';

/** JSON lines on stdout; TUSK_LOG_LEVEL wins over the descriptor's [telemetry] log level. */
export function createDefaultLogger(level: string | undefined, env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({ name: 'tusk-grpc', level: env.TUSK_LOG_LEVEL || level || 'info' });
}

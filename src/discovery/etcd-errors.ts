// What a person running the process reads when etcd is not there: one line
// saying which etcd, where that address came from, and what went wrong.
import { EtcdInvalidAuthTokenError, isRecoverableError } from 'etcd3';
import { OneLineError } from '../status/fatal.js';
import { messageOf } from '../status/tusk-error.js';

/** The variable that sets the etcd members; named in messages so the reader knows what to change. */
const ETCD_ENDPOINTS_ENV = 'TUSK_ETCD_ENDPOINTS';

/** Start-up could not reach any etcd member. Uncaught, it ends the process with its message and exit code 1. */
export class EtcdUnreachableError extends OneLineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EtcdUnreachableError';
  }
}

/** "cannot reach etcd at 127.0.0.1:1 (TUSK_ETCD_ENDPOINTS): connection refused", or etcd's own refusal. */
export function etcdStartupError(error: unknown, endpoints: readonly string[], callTimeoutMs: number): OneLineError {
  const where = `etcd at ${endpoints.join(',')} (${ETCD_ENDPOINTS_ENV})`;
  const message = messageOf(error);
  if (error instanceof Error && isRecoverableError(error)) {
    return new EtcdUnreachableError(`cannot reach ${where}: ${connectionProblem(message, callTimeoutMs)}`, { cause: error });
  }
  return new OneLineError(`${where} refused the registration: ${firstLine(message)}`, { cause: error });
}

function connectionProblem(message: string, callTimeoutMs: number): string {
  if (/ECONNREFUSED/.test(message)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'host not found';
  if (/EHOSTUNREACH|ENETUNREACH/.test(message)) return 'host unreachable';
  if (/ECONNRESET/.test(message)) return 'connection reset';
  if (/DEADLINE_EXCEEDED|ETIMEDOUT|deadline/i.test(message)) return `no answer within ${callTimeoutMs / 1000}s`;
  return firstLine(message);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/^\d+ [A-Z_]+: /, '').trim();
}

/** etcd refused a call or a watch because it no longer knows the auth token (expired, or etcd restarted). */
export function isStaleAuthToken(error: unknown): boolean {
  return error instanceof EtcdInvalidAuthTokenError || (error instanceof Error && /invalid auth token/.test(error.message));
}

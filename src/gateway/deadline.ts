import { badRequest } from './http-errors.js';

/** gRPC's `grpc-timeout`: up to 8 digits and a unit (Hours, Minutes, Seconds, millis, micros, nanos). */
const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };
/** Connect's `connect-timeout-ms`: up to 10 digits of milliseconds. */
const CONNECT_TIMEOUT = /^\d{1,10}$/;

/**
 * The timeout a caller asked for, in ms: `grpc-timeout` first, then
 * `connect-timeout-ms`; undefined when it sent neither, so the method's own
 * configured timeout (the route's default) applies. A malformed value is the
 * caller's mistake: 400, never "no deadline".
 */
export function requestedTimeoutMs(headers: Readonly<Record<string, string | string[] | undefined>>): number | undefined {
  const grpc = first(headers['grpc-timeout']);
  if (grpc !== undefined) {
    const match = GRPC_TIMEOUT.exec(grpc.trim());
    if (match === null) throw badRequest('grpc-timeout', `grpc-timeout "${grpc}" is not 1-8 digits and a unit (H, M, S, m, u, n)`);
    return Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  const connect = first(headers['connect-timeout-ms']);
  if (connect !== undefined) {
    if (!CONNECT_TIMEOUT.test(connect.trim())) throw badRequest('connect-timeout-ms', `connect-timeout-ms "${connect}" is not 1-10 digits`);
    return Number(connect.trim());
  }
  return undefined;
}

/**
 * Call options for the deadline: the requested timeout (when any) and an
 * absolute deadline at max_timeout from now, the cap; the client pipeline
 * takes the earliest of them and of the method's configured timeout.
 */
export function deadlineOptions(requestedMs: number | undefined, maxTimeoutMs: number, now: number = Date.now()): { timeout?: number; deadline: number } {
  return requestedMs === undefined ? { deadline: now + maxTimeoutMs } : { timeout: Math.min(requestedMs, maxTimeoutMs), deadline: now + maxTimeoutMs };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

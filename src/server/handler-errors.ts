import { Metadata, type StatusObject, type status as GrpcStatus } from '@grpc/grpc-js';
import { Code } from '../status/codes.js';
import { STATUS_DETAILS_TRAILER, encodeStatusDetails } from '../status/status-details.js';
import { TuskError, isTuskError } from '../status/tusk-error.js';
import type { Logger } from '../telemetry/logger-types.js';
import { MalformedRequest, toBuffer } from './codec.js';
import { outwardMessage } from './outward-message.js';
import { RELAYED_TRAILER, cameFromClientCall } from '../status/downstream.js';

/** The trailer carrying a TuskError's details as a google.rpc.Status (the standard one; read by the tusk client too). */
export const ERROR_DETAILS_TRAILER = STATUS_DETAILS_TRAILER;

export type HandlerStatus = Pick<StatusObject, 'code' | 'details' | 'metadata'>;

/** Our Code and grpc-js' status are the same numbers under two enum types. */
export const grpcStatus = (code: Code): GrpcStatus => code as number as GrpcStatus;

export function malformedRequestError(request: MalformedRequest): TuskError {
  const reason = request.cause instanceof Error ? request.cause.message : String(request.cause);
  return new TuskError(Code.INVALID_ARGUMENT, `malformed request message: ${reason}`);
}

function tuskErrorStatus(error: TuskError, log: () => Logger): HandlerStatus {
  const message = outwardMessage(error);
  // What the caller no longer sees (the downstream address) stays in this service's log.
  if (message !== error.message) log().info({ err: error, code: error.codeName }, 'passing on a downstream failure without its addresses');
  const metadata = new Metadata();
  const status = encodeStatusDetails(error.code, message, error.details);
  if (status !== undefined) metadata.set(STATUS_DETAILS_TRAILER, toBuffer(status));
  if (cameFromClientCall(error)) metadata.set(RELAYED_TRAILER, '1');
  return { code: grpcStatus(error.code), details: message, metadata };
}

/** Whether the call ended under the handler, and why: an AbortSignal, or a CallAbort that has not made one. */
export type AbortState = Pick<AbortSignal, 'aborted' | 'reason'>;

/**
 * Maps whatever a handler threw onto the status the caller sees. Only
 * TuskError chooses its status and message; anything else is a bug in the
 * service, so the caller gets a generic INTERNAL and the stack goes to the log.
 * `logger` may be a getter, so the common refusals (NOT_FOUND, ...) never build a call logger.
 */
export function errorToStatus(error: unknown, abort: AbortState, logger: Logger | (() => Logger)): HandlerStatus {
  const log = () => (typeof logger === 'function' ? logger() : logger);
  if (isTuskError(error)) {
    if (error.code === Code.INTERNAL || error.code === Code.UNKNOWN || error.code === Code.DATA_LOSS) {
      log().error({ err: error, code: error.codeName }, 'handler failed');
    }
    return tuskErrorStatus(error, log);
  }
  if (abort.aborted) {
    // The handler gave up because its call ended (cancel, deadline, shutdown): not a bug.
    const reason: unknown = abort.reason;
    log().debug({ err: error }, 'handler stopped after the call was aborted');
    return isTuskError(reason) ? tuskErrorStatus(reason, log) : { code: grpcStatus(Code.CANCELLED), details: 'cancelled', metadata: new Metadata() };
  }
  log().error({ err: error }, 'handler threw an unexpected error');
  return { code: grpcStatus(Code.INTERNAL), details: 'internal error', metadata: new Metadata() };
}

import type { handleServerStreamingCall, ServerWritableStream } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { MalformedRequest } from './codec.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus, malformedRequestError } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';
import { writeAll } from './stream-io.js';

export type ServerStreamingMethod = (request: unknown, ctx: CallContext) => AsyncIterable<unknown>;

/** `(req, ctx) => AsyncIterable<Res>` onto grpc-js' writable server stream. */
export function handleServerStreaming(env: HandlerEnv, method: ServerStreamingMethod): handleServerStreamingCall<unknown, unknown> {
  return (call) => void runServerStreaming(env, method, call);
}

async function runServerStreaming(env: HandlerEnv, method: ServerStreamingMethod, call: ServerWritableStream<unknown, unknown>): Promise<void> {
  const ctx = createCallContext(env, call);
  try {
    if (call.request instanceof MalformedRequest) throw malformedRequestError(call.request);
    await writeAll(call, method(call.request, ctx), ctx.signal, () => ctx.sendHeader(call));
    ctx.sendHeader(call);
    if (!call.destroyed) call.end(ctx.takeTrailer());
  } catch (error) {
    const status = errorToStatus(error, ctx.abort, () => ctx.logger);
    // grpc-js turns an 'error' event carrying a status into the call's final status.
    if (!call.destroyed) call.emit('error', ctx.failedStatus(status, call));
  } finally {
    ctx.abort.close();
  }
}

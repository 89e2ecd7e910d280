import type { handleBidiStreamingCall, ServerDuplexStream } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';
import { readAll, writeAll } from './stream-io.js';

export type BidiStreamingMethod = (requests: AsyncIterable<unknown>, ctx: CallContext) => AsyncIterable<unknown>;

/** `(reqs: AsyncIterable<Req>, ctx) => AsyncIterable<Res>` onto grpc-js' duplex stream. */
export function handleBidiStreaming(env: HandlerEnv, method: BidiStreamingMethod): handleBidiStreamingCall<unknown, unknown> {
  return (call) => void runBidiStreaming(env, method, call);
}

async function runBidiStreaming(env: HandlerEnv, method: BidiStreamingMethod, call: ServerDuplexStream<unknown, unknown>): Promise<void> {
  const ctx = createCallContext(env, call);
  try {
    await writeAll(call, method(readAll(call, ctx.signal), ctx), ctx.signal, () => ctx.sendHeader(call));
    ctx.sendHeader(call);
    if (!call.destroyed) call.end(ctx.takeTrailer());
  } catch (error) {
    const status = errorToStatus(error, ctx.abort, () => ctx.logger);
    if (!call.destroyed) call.emit('error', ctx.failedStatus(status, call));
  } finally {
    ctx.abort.close();
  }
}

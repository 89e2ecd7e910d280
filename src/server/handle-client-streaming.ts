import type { handleClientStreamingCall, sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';
import { readAll } from './stream-io.js';

export type ClientStreamingMethod = (requests: AsyncIterable<unknown>, ctx: CallContext) => Promise<unknown>;

/** `(reqs: AsyncIterable<Req>, ctx) => Promise<Res>` onto grpc-js' readable client stream. */
export function handleClientStreaming(env: HandlerEnv, method: ClientStreamingMethod): handleClientStreamingCall<unknown, unknown> {
  return (call, callback) => void runClientStreaming(env, method, call, callback);
}

async function runClientStreaming(
  env: HandlerEnv,
  method: ClientStreamingMethod,
  call: ServerReadableStream<unknown, unknown>,
  callback: sendUnaryData<unknown>,
): Promise<void> {
  const ctx = createCallContext(env, call);
  let response: unknown;
  try {
    response = await method(readAll(call, ctx.signal), ctx);
  } catch (error) {
    const status = errorToStatus(error, ctx.abort, () => ctx.logger);
    ctx.abort.close();
    callback(ctx.failedStatus(status, call));
    return;
  }
  ctx.abort.close();
  ctx.sendHeader(call);
  callback(null, response, ctx.takeTrailer());
}

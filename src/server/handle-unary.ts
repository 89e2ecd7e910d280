import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { MalformedRequest } from './codec.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus, malformedRequestError } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';

export type UnaryMethod = (request: unknown, ctx: CallContext) => Promise<unknown>;

/** `(req, ctx) => Promise<Res>` onto grpc-js' callback-style unary handler. */
export function handleUnary(env: HandlerEnv, method: UnaryMethod): handleUnaryCall<unknown, unknown> {
  return (call, callback) => void runUnary(env, method, call, callback);
}

async function runUnary(env: HandlerEnv, method: UnaryMethod, call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): Promise<void> {
  const ctx = createCallContext(env, call);
  let response: unknown;
  try {
    if (call.request instanceof MalformedRequest) throw malformedRequestError(call.request);
    response = await method(call.request, ctx);
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

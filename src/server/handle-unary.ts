import type { handleUnaryCall } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { MalformedRequest } from './codec.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus, malformedRequestError, type HandlerStatus } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';

export type UnaryMethod = (request: unknown, ctx: CallContext) => Promise<unknown>;

/** `(req, ctx) => Promise<Res>` onto grpc-js' callback-style unary handler. */
export function handleUnary(env: HandlerEnv, method: UnaryMethod): handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    const open = env.activeCalls.open(call);
    const ctx = createCallContext(env.service, env.method, call, open.signal, env.logger);
    const run = async (): Promise<{ response: unknown } | { status: HandlerStatus }> => {
      try {
        if (call.request instanceof MalformedRequest) throw malformedRequestError(call.request);
        return { response: await method(call.request, ctx) };
      } catch (error) {
        return { status: errorToStatus(error, open.signal, ctx.logger) };
      }
    };
    void run().then((outcome) => {
      open.close();
      if ('status' in outcome) callback(outcome.status);
      else callback(null, outcome.response);
    });
  };
}

import type { handleServerStreamingCall } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { MalformedRequest } from './codec.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus, malformedRequestError } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';
import { writeAll } from './stream-io.js';

export type ServerStreamingMethod = (request: unknown, ctx: CallContext) => AsyncIterable<unknown>;

/** `(req, ctx) => AsyncIterable<Res>` onto grpc-js' writable server stream. */
export function handleServerStreaming(env: HandlerEnv, method: ServerStreamingMethod): handleServerStreamingCall<unknown, unknown> {
  return (call) => {
    const open = env.activeCalls.open(call);
    const ctx = createCallContext(env.service, env.method, call, open.signal, env.logger);
    const run = async () => {
      try {
        if (call.request instanceof MalformedRequest) throw malformedRequestError(call.request);
        await writeAll(call, method(call.request, ctx), open.signal);
        if (!call.destroyed) call.end();
      } catch (error) {
        const status = errorToStatus(error, open.signal, ctx.logger);
        // grpc-js turns an 'error' event carrying a status into the call's final status.
        if (!call.destroyed) call.emit('error', status);
      } finally {
        open.close();
      }
    };
    void run();
  };
}

import type { handleBidiStreamingCall } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';
import { readAll, writeAll } from './stream-io.js';

export type BidiStreamingMethod = (requests: AsyncIterable<unknown>, ctx: CallContext) => AsyncIterable<unknown>;

/** `(reqs: AsyncIterable<Req>, ctx) => AsyncIterable<Res>` onto grpc-js' duplex stream. */
export function handleBidiStreaming(env: HandlerEnv, method: BidiStreamingMethod): handleBidiStreamingCall<unknown, unknown> {
  return (call) => {
    const open = env.activeCalls.open(call);
    const ctx = createCallContext(env.service, env.method, call, open.signal, env.logger);
    const run = async () => {
      try {
        await writeAll(call, method(readAll(call, open.signal), ctx), open.signal);
        if (!call.destroyed) call.end();
      } catch (error) {
        const status = errorToStatus(error, open.signal, ctx.logger);
        if (!call.destroyed) call.emit('error', status);
      } finally {
        open.close();
      }
    };
    void run();
  };
}

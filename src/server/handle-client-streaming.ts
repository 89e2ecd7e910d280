import type { handleClientStreamingCall } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';
import { createCallContext } from './create-call-context.js';
import { errorToStatus, type HandlerStatus } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';
import { readAll } from './stream-io.js';

export type ClientStreamingMethod = (requests: AsyncIterable<unknown>, ctx: CallContext) => Promise<unknown>;

/** `(reqs: AsyncIterable<Req>, ctx) => Promise<Res>` onto grpc-js' readable client stream. */
export function handleClientStreaming(env: HandlerEnv, method: ClientStreamingMethod): handleClientStreamingCall<unknown, unknown> {
  return (call, callback) => {
    const open = env.activeCalls.open(call);
    const ctx = createCallContext(env.service, env.method, call, open.signal, env.logger);
    const run = async (): Promise<{ response: unknown } | { status: HandlerStatus }> => {
      try {
        return { response: await method(readAll(call, open.signal), ctx) };
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

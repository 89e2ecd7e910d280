import type { handleUnaryCall, Metadata, sendUnaryData } from '@grpc/grpc-js';
import type { CancellableCall } from './active-calls.js';
import type { CallContext } from './call-context.js';
import { MalformedRequest } from './codec.js';
import { createCallContext, type ServerCallContext } from './create-call-context.js';
import { errorToStatus, malformedRequestError } from './handler-errors.js';
import type { HandlerEnv } from './handler-env.js';

export type UnaryMethod = (request: unknown, ctx: CallContext) => Promise<unknown>;

/** What the adapter reads of its call: grpc-js' ServerUnaryCall, or the lean transport's UnarySurface. */
export type UnaryCall = CancellableCall & { readonly request: unknown; sendMetadata(metadata: Metadata): void };

/** On the handler grpc-js is given: the adapter itself, for a transport that brings its own call object. */
export const UNARY_ADAPTER = Symbol('tusk.unaryAdapter');
export type UnaryAdapter = (call: UnaryCall, callback: sendUnaryData<unknown>) => void;

/** `(req, ctx) => Promise<Res>` onto grpc-js' callback-style unary handler. */
export function handleUnary(env: HandlerEnv, method: UnaryMethod): handleUnaryCall<unknown, unknown> {
  // grpc-js' ServerUnaryCall is a UnaryCall: the handler grpc-js calls is the adapter itself.
  const adapter: UnaryAdapter = (call, callback) => runUnary(env, method, call, callback);
  return Object.assign(adapter, { [UNARY_ADAPTER]: adapter });
}

/** One promise reaction per call (not an async function's own promise and resumption): this runs on every call. */
function runUnary(env: HandlerEnv, method: UnaryMethod, call: UnaryCall, callback: sendUnaryData<unknown>): void {
  const ctx = createCallContext(env, call);
  let pending: Promise<unknown>;
  try {
    if (call.request instanceof MalformedRequest) throw malformedRequestError(call.request);
    pending = Promise.resolve(method(call.request, ctx));
  } catch (error) {
    return fail(ctx, call, callback, error);
  }
  pending.then(
    (response) => {
      ctx.abort.close();
      ctx.sendHeader(call);
      callback(null, response, ctx.takeTrailer());
    },
    (error: unknown) => fail(ctx, call, callback, error),
  );
}

function fail(ctx: ServerCallContext, call: UnaryCall, callback: sendUnaryData<unknown>, error: unknown): void {
  const status = errorToStatus(error, ctx.abort, () => ctx.logger);
  ctx.abort.close();
  callback(ctx.failedStatus(status, call));
}

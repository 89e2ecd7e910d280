// Server middleware: `(next) => async (req) => ...` around a TuskServer
// handler, seeing the call's context, its message(s) and its outcome. It runs
// innermost, after the interceptor chain (server-interceptors.ts) and the
// request decoding, wrapped around each handler in bind-service.ts.
import type { MethodKind } from '../config/service-definition.js';
import type { CallContext } from './call-context.js';

/** One request message (unary, server streaming) or the request stream (client streaming, bidi). */
export type ServerRequest =
  | { readonly kind: 'unary' | 'server_streaming'; readonly ctx: CallContext; readonly message: unknown }
  | { readonly kind: 'client_streaming' | 'bidi_streaming'; readonly ctx: CallContext; readonly messages: AsyncIterable<unknown> };

/**
 * One response message (unary, client streaming) or the response stream
 * (server streaming, bidi). A stream's failure comes out of iterating
 * `messages`; `onStreamEnd` observes it.
 */
export type ServerResponse = { readonly message: unknown } | { readonly messages: AsyncIterable<unknown> };

export type ServerNext = (request: ServerRequest) => Promise<ServerResponse>;

/**
 * The first of `TuskServerOptions.middleware` is the outermost. Throw a
 * TuskError to answer with that status; catch to observe the handler's.
 */
export type ServerMiddleware = (next: ServerNext) => ServerNext;

/** A handler of any kind, as bound to its service instance. */
export type AnyHandler = (input: any, ctx: CallContext) => unknown;

/**
 * The handler wrapped in the middleware, with the handler's own signature
 * (streams still return an AsyncIterable at once), so the kind adapters and
 * the in-memory transport call it like the handler itself.
 */
export function withMiddleware(kind: MethodKind, handler: AnyHandler, middleware: readonly ServerMiddleware[]): AnyHandler {
  const chain = middleware.reduceRight<ServerNext>((next, outer) => outer(next), terminal(kind, handler));
  const request = (input: unknown, ctx: CallContext): ServerRequest =>
    kind === 'unary' || kind === 'server_streaming' ? { kind, ctx, message: input } : { kind, ctx, messages: input as AsyncIterable<unknown> };
  if (kind === 'server_streaming' || kind === 'bidi_streaming') return (input, ctx) => streamOf(chain(request(input, ctx)));
  return (input, ctx) => chain(request(input, ctx)).then(messageOf);
}

function terminal(kind: MethodKind, handler: AnyHandler): ServerNext {
  return async (request) => {
    const input = 'message' in request ? request.message : request.messages;
    if (kind === 'unary' || kind === 'client_streaming') return { message: await (handler(input, request.ctx) as Promise<unknown>) };
    return { messages: handler(input, request.ctx) as AsyncIterable<unknown> };
  };
}

function messageOf(response: ServerResponse): unknown {
  if ('message' in response) return response.message;
  throw new TypeError('tusk-grpc: a server middleware answered a single-response call with a stream');
}

async function* streamOf(response: Promise<ServerResponse>): AsyncIterable<unknown> {
  const resolved = await response;
  if (!('messages' in resolved)) throw new TypeError('tusk-grpc: a server middleware answered a streaming call with a single message');
  yield* resolved.messages;
}

/**
 * `messages` passed through, with `onEnd` called once when the stream is
 * over: `(undefined, false)` when it completed, `(error, false)` when it
 * failed, `(undefined, true)` when its reader stopped early (the call was
 * cancelled or its deadline passed: `ctx.signal.reason` says which).
 */
export async function* onStreamEnd<T>(messages: AsyncIterable<T>, onEnd: (error: unknown, stopped: boolean) => void): AsyncIterable<T> {
  let ended = false;
  try {
    yield* messages;
    ended = true;
    onEnd(undefined, false);
  } catch (error) {
    ended = true;
    onEnd(error, false);
    throw error;
  } finally {
    if (!ended) onEnd(undefined, true);
  }
}

// Client interceptors, Connect-style: `(next) => async (req) => ...`, around a
// whole call at the message level, outside deadline, retries and transport
// (pipeline.ts stage 0), so a custom retry rule may call next() again.
import type { MethodDescriptor } from '../config/service-definition.js';
import type { CallOptions } from './call-options.js';

interface ClientRequestBase {
  /** Full service name, e.g. "user.v1.UserService". */
  readonly service: string;
  /** Proto method name, e.g. "GetUser". */
  readonly method: string;
  /** "/user.v1.UserService/GetUser" */
  readonly path: string;
  /** Outgoing metadata, a fresh copy of `options.metadata` per call: add or change keys here. */
  readonly header: Record<string, string>;
  /** The call's options; its `metadata` is replaced by `header` when the call is sent. */
  readonly options: CallOptions;
}

/** One request message (unary, server streaming) or a request stream (client streaming, bidi). */
export type ClientRequest =
  | (ClientRequestBase & { readonly kind: 'unary' | 'server_streaming'; readonly message: unknown })
  | (ClientRequestBase & { readonly kind: 'client_streaming' | 'bidi_streaming'; readonly messages: AsyncIterable<unknown> });

interface ClientResponseBase {
  /** Response headers, as far as the transport reports them. */
  readonly header?: Readonly<Record<string, string>>;
  /** Response trailers; for a response stream, filled in when the stream ends. */
  readonly trailer?: Readonly<Record<string, string>>;
}

/**
 * One response message (unary, client streaming) or a response stream (server
 * streaming, bidi). next() resolves for a stream once its first message (or its
 * end) arrived, so a failure to open the stream rejects next() itself.
 */
export type ClientResponse = (ClientResponseBase & { readonly message: unknown }) | (ClientResponseBase & { readonly messages: AsyncIterable<unknown> });

export type ClientNext = (request: ClientRequest) => Promise<ClientResponse>;

/** The first interceptor of `ClientOptions.interceptors` is the outermost. A failure is a thrown TuskError. */
export type ClientInterceptor = (next: ClientNext) => ClientNext;

// `any`: the input is a message or a message stream depending on the kind.
type UnaryCall = (input: any, options?: CallOptions) => Promise<unknown>;
type StreamCall = (input: any, options?: CallOptions) => AsyncIterable<unknown>;

/**
 * Wraps one client method (as built by method-calls.ts) in the interceptors.
 * The result has the method's own signature: streams still return an
 * AsyncIterable synchronously, and the chain runs when iteration starts.
 */
export function interceptMethod<F extends UnaryCall | StreamCall>(service: string, method: MethodDescriptor, call: F, interceptors: readonly ClientInterceptor[]): F {
  const chain = interceptors.reduceRight<ClientNext>((next, interceptor) => interceptor(next), terminal(method, call));
  const request = (input: unknown, options: CallOptions = {}): ClientRequest => {
    const base = { service, method: method.name, path: method.path, header: { ...options.metadata }, options };
    return method.kind === 'unary' || method.kind === 'server_streaming'
      ? { ...base, kind: method.kind, message: input }
      : { ...base, kind: method.kind, messages: input as AsyncIterable<unknown> };
  };
  const respondsWithStream = method.kind === 'server_streaming' || method.kind === 'bidi_streaming';
  const intercepted = respondsWithStream
    ? (input: unknown, options?: CallOptions) => lazyMessages(() => chain(request(input, options)))
    : (input: unknown, options?: CallOptions): Promise<unknown> => {
        try {
          return chain(request(input, options)).then(responseMessage);
        } catch (error) {
          return Promise.reject(error); // an interceptor that throws synchronously still makes a rejection
        }
      };
  return intercepted as F;
}

/** The innermost `next`: the method itself, with `header` as the metadata, collecting response header and trailer. */
function terminal(method: MethodDescriptor, call: UnaryCall | StreamCall): ClientNext {
  return async (request) => {
    const header: Record<string, string> = {};
    const trailer: Record<string, string> = {};
    const { options } = request;
    const callOptions: CallOptions = {
      ...options,
      metadata: request.header,
      onHeader: (received) => {
        Object.assign(header, received);
        options.onHeader?.(received);
      },
      onTrailer: (received) => {
        Object.assign(trailer, received);
        options.onTrailer?.(received);
      },
    };
    const input = 'message' in request ? request.message : request.messages;
    if (method.kind === 'unary' || method.kind === 'client_streaming') {
      return { message: await (call as UnaryCall)(input, callOptions), header, trailer };
    }
    return { messages: await openStream((call as StreamCall)(input, callOptions)), header, trailer };
  };
}

/** Waits for the first message (or the end), so that next() rejects when the stream cannot be opened. */
async function openStream(stream: AsyncIterable<unknown>): Promise<AsyncIterable<unknown>> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* rest() {
    try {
      let next = first;
      while (!next.done) {
        yield next.value;
        next = await iterator.next();
      }
    } finally {
      await iterator.return?.();
    }
  })();
}

function responseMessage(response: ClientResponse): unknown {
  if ('message' in response) return response.message;
  throw new TypeError('tusk-grpc: a client interceptor answered a single-response call with a stream');
}

async function* lazyMessages(open: () => Promise<ClientResponse>): AsyncIterable<unknown> {
  const response = await open();
  if (!('messages' in response)) throw new TypeError('tusk-grpc: a client interceptor answered a streaming call with a single message');
  yield* response.messages;
}

// Client interceptors, Connect-style: `(next) => async (req) => ...`, around a
// whole call at the message level, outside deadline, retries and transport
// (pipeline.ts stage 0), so a custom retry rule may call next() again.
import type { MethodDescriptor } from '../config/service-definition.js';
import type { CallOptions } from './call-options.js';
import { asTuskError } from '../status/tusk-error.js';

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

/**
 * The first interceptor of `ClientOptions.interceptors` is the outermost. A failure is a thrown TuskError
 * (anything else reaches the caller as UNKNOWN, with it as the cause).
 */
export type ClientInterceptor = (next: ClientNext) => ClientNext;

// `any`: the input is a message or a message stream depending on the kind.
type UnaryCall = (input: any, options?: CallOptions) => Promise<unknown>;
type StreamCall = (input: any, options?: CallOptions) => AsyncIterable<unknown>;

/**
 * The response streams the terminal opened for one call. An interceptor may
 * drop one (throw after next(), or call next() again); each holds a bulkhead
 * slot and a server call until it is closed, so the call closes what is left
 * when it ends. Carried on the request under a symbol: `{ ...request }` keeps it.
 */
const OPENED_STREAMS = Symbol('tusk-grpc.opened-streams');
type OpenedStreams = Set<OpenedMessages>;
type TrackedRequest = ClientRequest & { readonly [OPENED_STREAMS]?: OpenedStreams };

/**
 * Wraps one client method (as built by method-calls.ts) in the interceptors.
 * The result has the method's own signature: streams still return an
 * AsyncIterable synchronously, and the chain runs when iteration starts.
 */
export function interceptMethod<F extends UnaryCall | StreamCall>(service: string, method: MethodDescriptor, call: F, interceptors: readonly ClientInterceptor[]): F {
  const chain = interceptors.reduceRight<ClientNext>((next, interceptor) => interceptor(next), terminal(method, call));
  const request = (input: unknown, options: CallOptions = {}, opened?: OpenedStreams): ClientRequest => {
    const base = { service, method: method.name, path: method.path, header: { ...options.metadata }, options, [OPENED_STREAMS]: opened };
    return method.kind === 'unary' || method.kind === 'server_streaming'
      ? { ...base, kind: method.kind, message: input }
      : { ...base, kind: method.kind, messages: input as AsyncIterable<unknown> };
  };
  const respondsWithStream = method.kind === 'server_streaming' || method.kind === 'bidi_streaming';
  const intercepted = respondsWithStream
    ? (input: unknown, options?: CallOptions) => lazyMessages((opened) => chain(request(input, options, opened)))
    : (input: unknown, options?: CallOptions): Promise<unknown> => {
        try {
          return chain(request(input, options)).then(responseMessage).catch(rejectAsTuskError);
        } catch (error) {
          return Promise.reject(asTuskError(error)); // an interceptor that throws synchronously still makes a rejection
        }
      };
  return intercepted as F;
}

const rejectAsTuskError = (error: unknown): never => {
  throw asTuskError(error);
};

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
    return { messages: await openStream((call as StreamCall)(input, callOptions), (request as TrackedRequest)[OPENED_STREAMS]), header, trailer };
  };
}

/** Waits for the first message (or the end), so that next() rejects when the stream cannot be opened. */
async function openStream(stream: AsyncIterable<unknown>, opened: OpenedStreams | undefined): Promise<AsyncIterable<unknown>> {
  const iterator = stream[Symbol.asyncIterator]();
  return new OpenedMessages(iterator, await iterator.next(), opened);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * An opened response stream, from its first message on. Not an async
 * generator: `return()` must close the method's stream even when nobody read
 * a message yet (a generator that never started ignores its `finally`).
 */
class OpenedMessages implements AsyncIterableIterator<unknown> {
  private first: IteratorResult<unknown> | undefined;
  private closed = false;

  constructor(
    private readonly iterator: AsyncIterator<unknown>,
    first: IteratorResult<unknown>,
    private readonly opened: OpenedStreams | undefined,
  ) {
    this.first = first;
    if (first.done) this.closed = true;
    else opened?.add(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<unknown>> {
    if (this.first !== undefined) {
      const first = this.first;
      this.first = undefined;
      return first;
    }
    if (this.closed) return DONE;
    try {
      const result = await this.iterator.next();
      if (result.done) this.forget();
      return result;
    } catch (error) {
      this.forget(); // the method's stream failed: it has ended itself
      throw error;
    }
  }

  async return(): Promise<IteratorResult<unknown>> {
    this.first = undefined;
    if (!this.closed) {
      this.forget();
      await this.iterator.return?.();
    }
    return DONE;
  }

  private forget(): void {
    this.closed = true;
    this.opened?.delete(this);
  }
}

function responseMessage(response: ClientResponse): unknown {
  if ('message' in response) return response.message;
  throw new TypeError('tusk-grpc: a client interceptor answered a single-response call with a stream');
}

/** Runs the chain when iteration starts; when the caller is done, closes any stream the interceptors left open. */
async function* lazyMessages(open: (opened: OpenedStreams) => Promise<ClientResponse>): AsyncIterable<unknown> {
  const opened: OpenedStreams = new Set();
  try {
    const response = await open(opened);
    if (!('messages' in response)) throw new TypeError('tusk-grpc: a client interceptor answered a streaming call with a single message');
    yield* response.messages;
  } catch (error) {
    throw asTuskError(error);
  } finally {
    for (const stream of [...opened]) await stream.return();
  }
}

// Adapters from the four RPC kinds' client signatures onto CallPipeline.run.
import { CallerError, NotSentError } from '../resilience/failure.js';
import { Code } from '../status/codes.js';
import { markDownstream } from '../status/downstream.js';
import { TuskError, messageOf } from '../status/tusk-error.js';
import type { CallOptions } from './call-options.js';
import type { CallPipeline, Hold, MethodPlan } from './pipeline.js';

/** A response the codec cannot read is the server's fault as far as the caller can tell: INTERNAL, like grpc-js. */
function decoder(deserialize: (bytes: Uint8Array) => unknown): (bytes: Uint8Array) => unknown {
  return (bytes) => {
    try {
      return deserialize(bytes);
    } catch (error) {
      throw new TuskError(Code.INTERNAL, `could not decode the response: ${messageOf(error)}`);
    }
  };
}

/** A request the codec cannot write is the caller's mistake: INVALID_ARGUMENT, and it never reaches an endpoint. */
function encoder(serialize: (message: unknown) => Uint8Array): (message: unknown) => Uint8Array {
  return (message) => {
    try {
      return serialize(message);
    } catch (error) {
      throw new CallerError(Code.INVALID_ARGUMENT, `could not encode the request: ${messageOf(error)}`, error);
    }
  };
}


/** What a stream attempt resolves with: the first response (or the end), and the rest to read. */
interface OpenedStream {
  readonly iterator: AsyncIterator<Uint8Array>;
  readonly first: IteratorResult<Uint8Array>;
}

export function unaryMethod(pipeline: CallPipeline, plan: MethodPlan) {
  const { path } = plan.method;
  const serializeRequest = encoder(plan.method.serializeRequest);
  const deserializeResponse = decoder(plan.method.deserializeResponse);
  return (request: unknown, options?: CallOptions): Promise<unknown> => {
    try {
      const bytes = serializeRequest(request);
      // Decoded inside the attempt: an unreadable response is the attempt's outcome, as metrics and spans report it.
      return pipeline.run(plan, options, (endpoint, transportOptions) => endpoint.transport.unary(path, bytes, transportOptions).then(deserializeResponse));
    } catch (error) {
      return Promise.reject(error); // a promise-returning method never throws synchronously
    }
  };
}

/** Streams are retried only before their first response message; the pipeline tracks them until they end. */
export function serverStreamMethod(pipeline: CallPipeline, plan: MethodPlan) {
  const { path } = plan.method;
  const serializeRequest = encoder(plan.method.serializeRequest);
  const deserializeResponse = decoder(plan.method.deserializeResponse);
  return (request: unknown, options?: CallOptions): AsyncIterable<unknown> =>
    lazyStream((hold) => {
      const bytes = serializeRequest(request);
      return pipeline.run(plan, options, (endpoint, transportOptions) => openAtFirstMessage(endpoint.transport.serverStream(path, bytes, transportOptions)), hold);
    }, deserializeResponse);
}

export function clientStreamMethod(pipeline: CallPipeline, plan: MethodPlan) {
  const { path } = plan.method;
  const serializeRequest = encoder(plan.method.serializeRequest);
  const deserializeResponse = decoder(plan.method.deserializeResponse);
  return (requests: AsyncIterable<unknown>, options?: CallOptions): Promise<unknown> => {
    const outgoing = new SingleUseRequests(requests, serializeRequest);
    return pipeline.run(plan, options, (endpoint, transportOptions) => outgoing.attempt(endpoint.address, endpoint.transport.clientStream(path, outgoing.take(), transportOptions)).then(deserializeResponse)).then(
      (response) => {
        outgoing.stop();
        return response;
      },
      (error: unknown) => {
        outgoing.stop();
        throw error;
      },
    );
  };
}

export function bidiStreamMethod(pipeline: CallPipeline, plan: MethodPlan) {
  const { path } = plan.method;
  const deserializeResponse = decoder(plan.method.deserializeResponse);
  const serializeRequest = encoder(plan.method.serializeRequest);
  return (requests: AsyncIterable<unknown>, options?: CallOptions): AsyncIterable<unknown> => {
    const outgoing = new SingleUseRequests(requests, serializeRequest);
    return lazyStream(
      (hold) =>
        pipeline.run(plan, options, (endpoint, transportOptions) => outgoing.attempt(endpoint.address, openAtFirstMessage(endpoint.transport.bidiStream(path, outgoing.take(), transportOptions))), hold),
      deserializeResponse,
      outgoing,
    );
  };
}

async function openAtFirstMessage(stream: AsyncIterable<Uint8Array>): Promise<OpenedStream> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { iterator, first };
}

/** The outcome of a stream the consumer stopped reading: the client cancelled it. */
const STOPPED_BY_CONSUMER = Symbol('stopped by the consumer');

/**
 * The call starts when the caller starts iterating, as with any async
 * generator. The pipeline's `end` is called once the stream is over:
 * completed, failed (transport or decoding), or closed early by the consumer
 * (CANCELLED). Then the client stops reading the caller's request stream.
 */
async function* lazyStream(open: (hold: Hold<OpenedStream>) => Promise<OpenedStream>, deserialize: (bytes: Uint8Array) => unknown, outgoing?: SingleUseRequests): AsyncIterable<unknown> {
  let end: ((error?: unknown) => void) | undefined;
  let opened: OpenedStream;
  try {
    opened = await open((result, streamEnd) => {
      end = streamEnd;
      return result;
    });
  } catch (error) {
    outgoing?.stop();
    throw error;
  }
  let outcome: unknown = STOPPED_BY_CONSUMER;
  try {
    let next = opened.first;
    while (!next.done) {
      yield deserialize(next.value);
      next = await opened.iterator.next();
    }
    outcome = undefined;
  } catch (error) {
    outcome = error;
    throw error;
  } finally {
    await opened.iterator.return?.();
    outgoing?.stop();
    end?.(outcome === STOPPED_BY_CONSUMER ? new TuskError(Code.CANCELLED, 'stream closed by the consumer') : outcome);
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The caller's request stream can be read only once. A transport reads it
 * only after a connection is READY, so an attempt that failed while
 * connecting has not touched it and may be retried. A stream refused after
 * that (REFUSED_STREAM, GOAWAY) never ran either, but the messages already
 * read went with it: that failure is final (`attempt`), with its own code.
 * Once the call has ended (`stop`), it is not read any more. What the caller's
 * stream does wrong is the caller's mistake (CallerError): a message that does
 * not encode is INVALID_ARGUMENT, a stream that throws cancels the call.
 */
class SingleUseRequests implements AsyncIterator<Uint8Array> {
  private started = false;
  private stopped = false;
  private source: AsyncIterator<unknown> | undefined;

  constructor(
    private readonly requests: AsyncIterable<unknown>,
    private readonly serialize: (message: unknown) => Uint8Array,
  ) {}

  /** One attempt's outcome: once the caller's stream was read, no retry can replay it, so a not-sent failure is final. */
  attempt<T>(address: string, outcome: Promise<T>): Promise<T> {
    return outcome.catch((error: unknown) => {
      if (!this.started || !(error instanceof NotSentError)) throw error;
      throw markDownstream(new TuskError(error.code, `${error.message}; not retried: the request stream was already being sent`), address);
    });
  }

  take(): AsyncIterable<Uint8Array> {
    if (this.started) throw new TuskError(Code.FAILED_PRECONDITION, 'request stream already consumed by a failed attempt; not retried');
    return { [Symbol.asyncIterator]: () => this };
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.stopped) return DONE;
    this.started = true;
    let result: IteratorResult<unknown>;
    try {
      this.source ??= this.requests[Symbol.asyncIterator]();
      result = await this.source.next();
    } catch (error) {
      throw new CallerError(Code.CANCELLED, `the request stream failed: ${messageOf(error)}`, error);
    }
    if (this.stopped || result.done) return DONE; // the call ended while the caller's stream was producing: drop it
    return { done: false, value: this.serialize(result.value) };
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.stop();
    return DONE;
  }

  /** The call is over: stop reading the caller's stream and let it clean up. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.source?.return?.()?.catch(() => {}); // its own cleanup failing is not the call's outcome
  }
}

// Adapters from the four RPC kinds' client signatures onto CallPipeline.run.
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import type { CallOptions } from './call-options.js';
import type { CallPipeline, MethodPlan } from './pipeline.js';

/** A response the codec cannot read is the server's fault as far as the caller can tell: INTERNAL, like grpc-js. */
function decoder(deserialize: (bytes: Uint8Array) => unknown): (bytes: Uint8Array) => unknown {
  return (bytes) => {
    try {
      return deserialize(bytes);
    } catch (error) {
      throw new TuskError(Code.INTERNAL, `could not decode the response: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

function encoder(serialize: (message: unknown) => Uint8Array): (message: unknown) => Uint8Array {
  return (message) => {
    try {
      return serialize(message);
    } catch (error) {
      throw new TuskError(Code.INTERNAL, `could not encode the request: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

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
      return pipeline.run(plan, options, (endpoint, transportOptions) => endpoint.transport.unary(path, bytes, transportOptions)).then(deserializeResponse);
    } catch (error) {
      return Promise.reject(error); // a promise-returning method never throws synchronously
    }
  };
}

/** Streams count as succeeded once the first response message arrives; they are retried only before that. */
export function serverStreamMethod(pipeline: CallPipeline, plan: MethodPlan) {
  const { path } = plan.method;
  const serializeRequest = encoder(plan.method.serializeRequest);
  const deserializeResponse = decoder(plan.method.deserializeResponse);
  return (request: unknown, options?: CallOptions): AsyncIterable<unknown> =>
    lazyStream(() => {
      const bytes = serializeRequest(request);
      return pipeline.run(plan, options, (endpoint, transportOptions) => openAtFirstMessage(endpoint.transport.serverStream(path, bytes, transportOptions)));
    }, deserializeResponse);
}

export function clientStreamMethod(pipeline: CallPipeline, plan: MethodPlan) {
  const { path } = plan.method;
  const serializeRequest = encoder(plan.method.serializeRequest);
  const deserializeResponse = decoder(plan.method.deserializeResponse);
  return (requests: AsyncIterable<unknown>, options?: CallOptions): Promise<unknown> => {
    const outgoing = new SingleUseRequests(requests, serializeRequest);
    try {
      return pipeline.run(plan, options, (endpoint, transportOptions) => endpoint.transport.clientStream(path, outgoing.take(), transportOptions)).then(deserializeResponse);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

export function bidiStreamMethod(pipeline: CallPipeline, plan: MethodPlan) {
  const { path } = plan.method;
  const serializeRequest = encoder(plan.method.serializeRequest);
  const deserializeResponse = decoder(plan.method.deserializeResponse);
  return (requests: AsyncIterable<unknown>, options?: CallOptions): AsyncIterable<unknown> => {
    const outgoing = new SingleUseRequests(requests, serializeRequest);
    return lazyStream(
      () => pipeline.run(plan, options, (endpoint, transportOptions) => openAtFirstMessage(endpoint.transport.bidiStream(path, outgoing.take(), transportOptions))),
      deserializeResponse,
    );
  };
}

async function openAtFirstMessage(stream: AsyncIterable<Uint8Array>): Promise<OpenedStream> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { iterator, first };
}

/** The call starts when the caller starts iterating, as with any async generator. */
async function* lazyStream(open: () => Promise<OpenedStream>, deserialize: (bytes: Uint8Array) => unknown): AsyncIterable<unknown> {
  const { iterator, first } = await open();
  try {
    let next = first;
    while (!next.done) {
      yield deserialize(next.value);
      next = await iterator.next();
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * The caller's request stream can be read only once. A transport reads it
 * only after a connection is READY, so an attempt that failed before sending
 * (the only kind a stream retries, besides failures before the first response
 * of server streams) has not touched it; a second reader would be a bug.
 */
class SingleUseRequests {
  private started = false;

  constructor(
    private readonly requests: AsyncIterable<unknown>,
    private readonly serialize: (message: unknown) => Uint8Array,
  ) {}

  take(): AsyncIterable<Uint8Array> {
    if (this.started) throw new TuskError(Code.FAILED_PRECONDITION, 'request stream already consumed by a failed attempt; not retried');
    return this.iterate();
  }

  private async *iterate(): AsyncIterable<Uint8Array> {
    this.started = true;
    for await (const message of this.requests) yield this.serialize(message);
  }
}

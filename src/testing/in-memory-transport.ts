// A Transport that calls service instances in this process: no sockets, the
// same codecs, context, middleware and error mapping as a TuskServer, so a
// service and its callers can be unit-tested through the real client pipeline.
import { grpcError } from '../client/grpc-stream.js';
import type { Transport, TransportCallOptions } from '../client/transport.js';
import type { MethodDescriptor } from '../config/service-definition.js';
import { ActiveCalls } from '../server/active-calls.js';
import { boundHandler } from '../server/bind-service.js';
import { MalformedRequest } from '../server/codec.js';
import { createCallContext, metadataToRecord, type ServerCallContext } from '../server/create-call-context.js';
import { errorToStatus, malformedRequestError } from '../server/handler-errors.js';
import type { HandlerEnv } from '../server/handler-env.js';
import type { AnyHandler, ServerMiddleware } from '../server/middleware.js';
import type { ServiceBase } from '../server/service-base.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { createLogger } from '../telemetry/logger.js';
import type { Logger } from '../telemetry/logger-types.js';
import { InMemoryCall } from './in-memory-call.js';

export interface InMemoryTransportOptions {
  /** The server middleware the calls run through, as `TuskServerOptions.middleware`. */
  readonly middleware?: readonly ServerMiddleware[];
  /** The handlers' ctx.logger parent. Default: pino on stdout at TUSK_LOG_LEVEL, else "warn". */
  readonly logger?: Logger;
  /** The one endpoint address clients see, and every ctx.peer. Default "in-memory". */
  readonly address?: string;
}

interface Route {
  readonly method: MethodDescriptor;
  readonly handler: AnyHandler;
  readonly env: HandlerEnv;
}

interface OpenedCall {
  readonly route: Route;
  readonly call: InMemoryCall;
  readonly ctx: ServerCallContext;
}

const ignore = (): void => undefined;

/**
 * `createClient(descriptor, { transport: createInMemoryTransport(service) })`
 * (or `create<Svc>Client({ transport })`) calls `service` directly. Messages
 * still go through the descriptor's codecs both ways. Pass options first to
 * run server middleware: `createInMemoryTransport({ middleware }, service)`.
 * Clients borrow the transport; close() it when done.
 */
export function createInMemoryTransport(...services: ServiceBase[]): Transport;
export function createInMemoryTransport(options: InMemoryTransportOptions, ...services: ServiceBase[]): Transport;
export function createInMemoryTransport(...args: Array<ServiceBase | InMemoryTransportOptions>): Transport {
  const first = args[0];
  const hasOptions = first !== undefined && !('descriptor' in first);
  const options = hasOptions ? (first as InMemoryTransportOptions) : {};
  return new InMemoryTransport((hasOptions ? args.slice(1) : args) as ServiceBase[], options);
}

class InMemoryTransport implements Transport {
  readonly address: string;
  /** Calls never leave the process: credentials are safe to pass. */
  readonly secure = true;
  private readonly routes = new Map<string, Route>();
  private readonly activeCalls = new ActiveCalls();
  private closed = false;

  constructor(services: readonly ServiceBase[], options: InMemoryTransportOptions) {
    if (services.length === 0) throw new TypeError('tusk-grpc: createInMemoryTransport() needs at least one service instance');
    this.address = options.address ?? 'in-memory';
    const logger = options.logger ?? createLogger({ level: 'warn' });
    for (const service of services) {
      for (const method of Object.values(service.descriptor.methods)) {
        if (this.routes.has(method.path)) throw new TypeError(`tusk-grpc: ${service.descriptor.name} is given to createInMemoryTransport() twice`);
        const env: HandlerEnv = { service: service.descriptor.name, method: method.name, logger, activeCalls: this.activeCalls };
        this.routes.set(method.path, { method, handler: boundHandler(service, method, options.middleware ?? []), env });
      }
    }
  }

  async unary(path: string, request: Uint8Array, options: TransportCallOptions): Promise<Uint8Array> {
    const opened = this.open(path, options);
    return respond(opened, () => opened.route.handler(decodeRequest(opened.route.method, request), opened.ctx));
  }

  async clientStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): Promise<Uint8Array> {
    const opened = this.open(path, options);
    const incoming = decodedRequests(opened, requests);
    try {
      return await respond(opened, () => opened.route.handler(incoming, opened.ctx));
    } finally {
      incoming.return(undefined).catch(ignore); // a handler that answered early: stop reading the caller's stream
    }
  }

  async *serverStream(path: string, request: Uint8Array, options: TransportCallOptions): AsyncIterable<Uint8Array> {
    const opened = this.open(path, options);
    yield* respondStream(opened, () => opened.route.handler(decodeRequest(opened.route.method, request), opened.ctx) as AsyncIterable<unknown>);
  }

  async *bidiStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): AsyncIterable<Uint8Array> {
    const opened = this.open(path, options);
    const incoming = decodedRequests(opened, requests);
    try {
      yield* respondStream(opened, () => opened.route.handler(incoming, opened.ctx) as AsyncIterable<unknown>);
    } finally {
      incoming.return(undefined).catch(ignore);
    }
  }

  /** Later calls fail with UNAVAILABLE; running handlers see their ctx.signal abort with it. */
  close(): void {
    this.closed = true;
    this.activeCalls.abortAll(new TuskError(Code.UNAVAILABLE, 'in-memory transport closed'));
  }

  private open(path: string, options: TransportCallOptions): OpenedCall {
    if (this.closed) throw new TuskError(Code.UNAVAILABLE, 'in-memory transport closed');
    const route = this.routes.get(path);
    // grpc-js' words for a path no service added to the server implements.
    if (route === undefined) throw new TuskError(Code.UNIMPLEMENTED, `The server does not implement the method ${path}`);
    const call = new InMemoryCall(options, this.address);
    return { route, call, ctx: createCallContext(route.env, call) };
  }
}

function decodeRequest(method: MethodDescriptor, bytes: Uint8Array): unknown {
  try {
    return method.deserializeRequest(bytes);
  } catch (error) {
    throw malformedRequestError(new MalformedRequest(error));
  }
}

/**
 * What the caller sees for a failure: the end of the call (deadline, cancel)
 * as such; anything the handler threw mapped as the server maps it, the
 * TuskError details through their JSON trailer, as on the wire.
 */
function failure({ call, ctx }: OpenedCall, error: unknown): { error: unknown; trailer: Readonly<Record<string, string>> } {
  if (call.endedWith !== undefined) return { error: call.endedWith, trailer: {} };
  const status = ctx.failedStatus(errorToStatus(error, ctx.abort, () => ctx.logger), { sendMetadata: () => call.sendHeader(ctx) });
  return { error: grpcError(status, call.peer), trailer: metadataToRecord(status.metadata) };
}

/** The handler's trailers of a call that ended well, as the caller's onTrailer sees them. */
function successTrailer(ctx: ServerCallContext): Readonly<Record<string, string>> {
  const trailer = ctx.takeTrailer();
  return trailer === undefined ? {} : metadataToRecord(trailer);
}

async function respond(opened: OpenedCall, run: () => unknown): Promise<Uint8Array> {
  const { route, call, ctx } = opened;
  const handled = Promise.resolve().then(run);
  let trailer: Readonly<Record<string, string>> = {};
  try {
    const bytes = route.method.serializeResponse(await call.race(handled));
    call.sendHeader(ctx);
    trailer = successTrailer(ctx);
    return bytes;
  } catch (error) {
    const failed = failure(opened, error);
    trailer = failed.trailer;
    throw failed.error;
  } finally {
    // A handler still running after the call ended keeps its (aborted) signal until it returns.
    handled.then(
      () => ctx.abort.close(),
      () => ctx.abort.close(),
    );
    call.finish(trailer);
  }
}

/** Pulls one handler message per message the caller pulls: backpressure by construction. */
async function* respondStream(opened: OpenedCall, run: () => AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  const { route, call, ctx } = opened;
  let iterator: AsyncIterator<unknown> | undefined;
  let handlerDone = false;
  let over = false;
  let trailer: Readonly<Record<string, string>> = {};
  try {
    iterator = run()[Symbol.asyncIterator]();
    for (;;) {
      const pulled = iterator.next();
      pulled.then((next) => (handlerDone ||= next.done === true), () => (handlerDone = true));
      const next = await call.race(pulled);
      if (next.done) {
        over = true;
        break;
      }
      const bytes = route.method.serializeResponse(next.value);
      call.sendHeader(ctx);
      yield bytes;
    }
    call.sendHeader(ctx);
    trailer = successTrailer(ctx);
  } catch (error) {
    over = true;
    const failed = failure(opened, error);
    trailer = failed.trailer;
    throw failed.error;
  } finally {
    // The caller stopped reading: for the handler, as over a socket, the call was cancelled.
    if (!over) call.cancel(new TuskError(Code.CANCELLED, 'cancelled on client'));
    // Not awaited: a generator stuck in an await finishes its return() only when it resumes.
    if (iterator !== undefined && !handlerDone) Promise.resolve(iterator.return?.()).catch(ignore);
    ctx.abort.close();
    call.finish(trailer);
  }
}

/**
 * The caller's request stream, decoded, pulled only as the handler pulls. A
 * call that ends underneath surfaces as the handler's signal reason; a
 * caller's stream that fails ends the call with that failure for the caller.
 */
async function* decodedRequests({ route, call, ctx }: OpenedCall, requests: AsyncIterable<Uint8Array>): AsyncGenerator<unknown, void, undefined> {
  const iterator = requests[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await call.race(iterator.next());
      } catch (error) {
        done = call.endedWith === undefined; // the caller's own stream threw: it is finished
        call.cancel(error);
        throw ctx.abort.reason;
      }
      if (next.done) {
        done = true;
        return;
      }
      yield decodeRequest(route.method, next.value);
    }
  } finally {
    if (!done) Promise.resolve(iterator.return?.()).catch(ignore);
  }
}

import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { newRequestId } from '../telemetry/request-id.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { CancellableCall, CallAbort } from './active-calls.js';
import type { CallContext, CallMetadata, TraceContext } from './call-context.js';
import type { HandlerEnv } from './handler-env.js';
import type { HandlerStatus } from './handler-errors.js';
import { OutgoingMetadata } from './response-metadata.js';
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER, currentTraceContext, extractTraceContext } from '../telemetry/propagation.js';
import { serverTraceOf } from './server-trace.js';
import { principalOf, type Principal } from '../security/auth/principal.js';
import { RequestMetadata } from './transport/request-metadata.js';

export { REQUEST_ID_HEADER };

/** The part of a grpc-js server call (any kind) a context is read from. */
export type ServerSurfaceCall = Pick<ServerUnaryCall<unknown, unknown>, 'metadata' | 'getPeer' | 'getDeadline'>;

/** Request metadata as text; binary values are base64 as on the wire. */
export function metadataToRecord(metadata: Metadata): CallMetadata {
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) {
    record[key] = typeof value === 'string' ? value : value.toString('base64');
  }
  return record;
}

export function firstText(metadata: Metadata, key: string): string | undefined {
  if (metadata instanceof RequestMetadata) return metadata.firstText(key);
  // grpc-js' get() hands out a new empty array for every absent key (most of the chain's reads); its entries do not.
  const value = metadataEntries(metadata).get(key.toLowerCase())?.[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * metadata.set() for a lowercase text key and a value known legal (a request id that passed the transport's checks
 * on arrival, or a new UUID), without grpc-js' two regular expressions per value.
 */
export function setKnownLegalText(metadata: Metadata, name: string, value: string): void {
  if (metadata instanceof RequestMetadata) metadata.setKnownLegalText(name, value);
  else (metadataEntries(metadata) as Map<string, Array<string | Buffer>>).set(name, [value]);
}

/** grpc-js' Metadata keeps its entries in `internalRepr` (RequestMetadata relies on it too, and its unit test checks it). */
function metadataEntries(metadata: Metadata): Map<string, ReadonlyArray<string | Buffer>> {
  return (metadata as unknown as { internalRepr: Map<string, ReadonlyArray<string | Buffer>> }).internalRepr;
}

/** grpc-js reports "no deadline" as Infinity. */
export function deadlineMs(deadline: Date | number): number | undefined {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A call that ends around its deadline ended because of it. The caller's own
 * timer fires at the same instant and its cancel can arrive a little before the
 * server's (the grpc-timeout header is relative, so the server's deadline is
 * later by the transit time), hence the tolerance.
 */
const DEADLINE_TOLERANCE_MS = 50;

export function deadlinePassed(deadline: Date | number, now = Date.now()): boolean {
  const ms = deadlineMs(deadline);
  return ms !== undefined && now >= ms - DEADLINE_TOLERANCE_MS;
}

/** Shared by every call that has no trace: its fields are read-only. */
const NO_TRACE: TraceContext = Object.freeze({});

/**
 * The server span's trace context: the one the server trace hook started, or
 * the one OpenTelemetry's grpc instrumentation runs the handler inside;
 * without either, the caller's, as received.
 */
export function callTrace(metadata: Metadata): TraceContext {
  const started = serverTraceOf(metadata);
  if (started !== undefined) return started;
  const active = currentTraceContext();
  if (active.traceId !== undefined) return active;
  const traceparent = firstText(metadata, TRACEPARENT_HEADER);
  if (traceparent === undefined) return NO_TRACE;
  const tracestate = firstText(metadata, TRACESTATE_HEADER);
  return extractTraceContext(tracestate === undefined ? { traceparent } : { traceparent, tracestate });
}

/**
 * One call's context. What most handlers never touch is built on first use:
 * the metadata record, the logger and (through CallAbort) the AbortController
 * behind `signal`. Everything else is read from the call up front.
 */
export class ServerCallContext implements CallContext {
  readonly service: string;
  readonly method: string;
  readonly deadline: number | undefined;
  readonly trace: TraceContext;
  readonly requestId: string;
  /** Read now: once the call has ended grpc-js reports "unknown". */
  readonly peer: string;
  private metadataRecord: CallMetadata | undefined;
  private callLogger: Logger | undefined;
  private responseHeader: OutgoingMetadata | undefined;
  private responseTrailer: OutgoingMetadata | undefined;
  private headerSent = false;
  private trailerSent = false;

  constructor(
    private readonly env: HandlerEnv,
    private readonly call: ServerSurfaceCall,
    /** The handler's abort switch; adapters pass it to errorToStatus and close it when the handler is done. */
    readonly abort: CallAbort,
  ) {
    const metadata = call.metadata;
    this.service = env.service;
    this.method = env.method;
    this.deadline = deadlineMs(call.getDeadline());
    this.peer = call.getPeer();
    this.trace = callTrace(metadata);
    // The interceptor chain has already filled this in; the fallback covers callers of the adapters without it.
    this.requestId = firstText(metadata, REQUEST_ID_HEADER) ?? newRequestId();
  }

  get principal(): Principal | undefined {
    return principalOf(this.call.metadata);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get metadata(): CallMetadata {
    this.metadataRecord ??= metadataToRecord(this.call.metadata);
    return this.metadataRecord;
  }

  get logger(): Logger {
    this.callLogger ??= this.env.logger.child({
      service: this.service,
      method: this.method,
      request_id: this.requestId,
      ...(this.trace.traceId !== undefined ? { trace_id: this.trace.traceId, span_id: this.trace.spanId } : {}),
    });
    return this.callLogger;
  }

  get header(): OutgoingMetadata {
    if (this.responseHeader === undefined) {
      this.responseHeader = new OutgoingMetadata('headers', 'the first response');
      if (this.headerSent) this.responseHeader.take();
    }
    return this.responseHeader;
  }

  get trailer(): OutgoingMetadata {
    if (this.responseTrailer === undefined) {
      this.responseTrailer = new OutgoingMetadata('trailers', 'the status');
      if (this.trailerSent) this.responseTrailer.take();
    }
    return this.responseTrailer;
  }

  /** Sends the handler's headers, if it set any, ahead of the first response or the status; later sets throw. */
  sendHeader(call: { sendMetadata(metadata: Metadata): void }): void {
    if (this.headerSent) return;
    this.headerSent = true;
    const header = this.responseHeader?.take();
    if (header !== undefined) call.sendMetadata(header);
  }

  /** The handler's trailers for a successful end (undefined: none); later sets throw. */
  takeTrailer(): Metadata | undefined {
    this.trailerSent = true;
    return this.responseTrailer?.take();
  }

  /** An error status with the handler's trailers added; the handler's headers go out first. */
  failedStatus(status: HandlerStatus, call: { sendMetadata(metadata: Metadata): void }): HandlerStatus {
    this.sendHeader(call);
    const trailer = this.takeTrailer();
    if (trailer !== undefined) status.metadata?.merge(trailer);
    return status;
  }
}

/** The context of a call an adapter is about to hand to its handler. */
export function createCallContext(env: HandlerEnv, call: CancellableCall): ServerCallContext {
  return new ServerCallContext(env, call, env.activeCalls.open(call));
}

import type { Principal } from '../security/auth/principal.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { ResponseMetadata } from './response-metadata.js';

export type { ResponseMetadata };

/** W3C trace context of the current call, as received or started by the server. */
export interface TraceContext {
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly traceId?: string;
  readonly spanId?: string;
}

/** Request metadata as text; binary (`-bin`) values are base64, as on the wire. */
export type CallMetadata = Readonly<Record<string, string>>;

/**
 * What a handler gets besides its request. Passing it as `{ parent: ctx }` to
 * a client call propagates the remaining deadline, cancellation and trace.
 */
export interface CallContext {
  /** Full service name, e.g. "user.v1.UserService". */
  readonly service: string;
  /** Proto method name, e.g. "GetUser". */
  readonly method: string;
  readonly metadata: CallMetadata;
  /** Epoch milliseconds, or undefined when the caller set no deadline. */
  readonly deadline: number | undefined;
  /** Aborted when the caller cancels, the deadline passes or the server force-closes. */
  readonly signal: AbortSignal;
  /** "ipv4:127.0.0.1:53422" as grpc-js reports it. */
  readonly peer: string;
  readonly trace: TraceContext;
  /** Carried in `x-request-id`; created when the caller sent none. */
  readonly requestId: string;
  /** Bound to this call: service, method, request id, trace ids. */
  readonly logger: Logger;
  /** Response headers: sent with the first response message, or with the status when the call fails first. */
  readonly header: ResponseMetadata;
  /** Response trailers: sent with the status when the call ends, on success and on failure. */
  readonly trailer: ResponseMetadata;
  /** Who is calling, as the auth stage established it; undefined without [auth] and for public methods. */
  readonly principal?: Principal;
}

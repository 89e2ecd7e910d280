import type { PeerCertificate } from 'node:tls';
import type { Principal } from '../security/auth/principal.js';
import type { CallMetadata, TraceContext } from './call-context.js';

/** What the interceptor chain knows about a call when its metadata arrives. */
export interface ServerCallInfo {
  /** "/user.v1.UserService/GetUser" */
  readonly path: string;
  /** "user.v1.UserService" */
  readonly service: string;
  /** "GetUser" */
  readonly method: string;
  readonly metadata: CallMetadata;
  readonly peer: string;
  /** Epoch ms, undefined when the caller set none. */
  readonly deadline: number | undefined;
  readonly requestId: string;
  /** One request header's first text value, without building `metadata`. */
  header(name: string): string | undefined;
  /** The client certificate of a TLS connection that verified it (mTLS); undefined otherwise. */
  peerCertificate?(): PeerCertificate | undefined;
  /** True when @grpc/grpc-js carries the call (`[server] transport = "grpc-js"`): its OpenTelemetry instrumentation sees it. */
  readonly viaGrpcJs?: boolean;
  /**
   * A trace hook reports the server span it started for this call: the
   * handler's `ctx.trace`, its `ctx.logger` and the access log then carry it.
   */
  setServerTrace(trace: TraceContext): void;
}

export interface ServerCallOutcome {
  /** gRPC status code the call ended with (CANCELLED / DEADLINE_EXCEEDED when it never sent one). */
  readonly code: number;
  readonly details: string;
  readonly durationMs: number;
}

/**
 * An observer of every call: called when the metadata arrives; the returned
 * function, if any, is called once with the outcome. The metrics and trace
 * stages of the chain are slots of this shape, no-ops until telemetry fills them.
 */
export interface ServerCallHook {
  onCallStart(call: ServerCallInfo): ((outcome: ServerCallOutcome) => void) | void;
}

/**
 * The auth slot: runs before the handler; throw (or reject with) a TuskError,
 * e.g. UNAUTHENTICATED, to refuse the call. Any other error refuses it as INTERNAL.
 * The principal it returns, if any, is the handler's `ctx.principal` and the access log's `subject`.
 */
export type ServerAuthHook = (call: ServerCallInfo) => Principal | void | Promise<Principal | void>;

export const noopCallHook: ServerCallHook = { onCallStart: () => undefined };

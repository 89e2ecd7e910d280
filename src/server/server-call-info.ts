import type { Metadata, ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { attachPrincipal, type Principal } from '../security/auth/principal.js';
import type { CallMetadata, TraceContext } from './call-context.js';
import { callTrace, deadlineMs, firstText, metadataToRecord } from './create-call-context.js';
import type { ServerCallInfo } from './server-hooks.js';
import { setServerTrace } from './server-trace.js';
import { WireCall } from './transport/wire-call.js';
import { transportPeer } from './transport/peer.js';

/**
 * What the interceptor chain's hooks (trace, metrics, auth) and the access log
 * see of a call: one object per call, shared by all of them. Anything a hook
 * may not ask for (the metadata record, the peer string) is built on first use.
 */
export class InterceptedCallInfo implements ServerCallInfo {
  readonly deadline: number | undefined;
  private record: CallMetadata | undefined;
  private peerAddress: string | undefined;
  private serverTrace: TraceContext | undefined;
  /** Set by the auth stage. */
  principal: Principal | undefined;

  constructor(
    /** "/user.v1.UserService/GetUser" */
    readonly path: string,
    readonly requestId: string,
    private readonly rawMetadata: Metadata,
    private readonly call: ServerInterceptingCallInterface,
  ) {
    this.deadline = deadlineMs(call.getDeadline());
  }

  /** The lean transport's calls are not grpc-js': its instrumentation never sees them. */
  get viaGrpcJs(): boolean {
    return !(this.call instanceof WireCall);
  }

  get service(): string {
    return callName(this.path).service;
  }

  get method(): string {
    return callName(this.path).method;
  }

  /** As grpc-js' getPeer() formats it, noted per connection (transport/peer.ts): the stream's socket is gone once the call ended. */
  get peer(): string {
    this.peerAddress ??= transportPeer(this.call);
    return this.peerAddress;
  }

  get metadata(): CallMetadata {
    this.record ??= metadataToRecord(this.rawMetadata);
    return this.record;
  }

  header(name: string): string | undefined {
    return firstText(this.rawMetadata, name);
  }

  peerCertificate(): PeerCertificate | undefined {
    return this.call.getAuthContext().sslPeerCertificate;
  }

  /** The auth stage's verdict, for the access log and (through the request metadata) the handler's ctx. */
  setPrincipal(principal: Principal): void {
    this.principal = principal;
    attachPrincipal(this.rawMetadata, principal);
  }

  setServerTrace(trace: TraceContext): void {
    this.serverTrace = trace;
    // The handler's CallContext finds it through the request metadata it is handed.
    setServerTrace(this.rawMetadata, trace);
  }

  /** The trace context the handler sees (see callTrace); asked when the call ends. */
  get trace(): TraceContext {
    return this.serverTrace ?? callTrace(this.rawMetadata);
  }
}

interface CallName {
  readonly service: string;
  readonly method: string;
}

/**
 * A path's two halves, split once per method: the paths the chain sees are
 * the served methods' own strings, so the lookup is cheap and the metrics'
 * lookups by name hit strings whose hashes are already known.
 */
const callNames = new Map<string, CallName>();
const MAX_CALL_NAMES = 10_000;

function callName(path: string): CallName {
  let name = callNames.get(path);
  if (name === undefined) {
    const slash = path.lastIndexOf('/');
    name = { service: path.slice(1, slash), method: path.slice(slash + 1) };
    // Bounded: grpc-js hands its fallback handler any path a caller sends.
    if (callNames.size < MAX_CALL_NAMES) callNames.set(path, name);
  }
  return name;
}

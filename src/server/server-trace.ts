// The server span a trace hook started for a call, handed to the handler's
// CallContext and the access log. Interceptors and handler share nothing but
// the request Metadata object grpc-js passes down the chain, so the span's
// trace context is kept against that object (weakly: it goes with the call).
import type { Metadata } from '@grpc/grpc-js';
import type { TraceContext } from './call-context.js';

const serverTraces = new WeakMap<Metadata, TraceContext>();

export function setServerTrace(metadata: Metadata, trace: TraceContext): void {
  serverTraces.set(metadata, trace);
}

/** The server span's trace context, when a trace hook started one for this call. */
export function serverTraceOf(metadata: Metadata): TraceContext | undefined {
  return serverTraces.get(metadata);
}

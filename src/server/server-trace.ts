// The server span a trace hook started for a call, handed to the handler's
// CallContext and the access log. Interceptors and handler share nothing but
// the request Metadata object grpc-js passes down the chain, so the span's
// trace context rides on that object under a private symbol (it goes with the
// call). A symbol property rather than a WeakMap: a WeakMap entry per call cost
// ~1 % of the server's CPU in profiles, plus ephemeron work in every GC.
import type { Metadata } from '@grpc/grpc-js';
import type { TraceContext } from './call-context.js';

const SERVER_TRACE = Symbol('tusk-grpc.serverTrace');

type WithServerTrace = Metadata & { [SERVER_TRACE]?: TraceContext };

export function setServerTrace(metadata: Metadata, trace: TraceContext): void {
  (metadata as WithServerTrace)[SERVER_TRACE] = trace;
}

/** The server span's trace context, when a trace hook started one for this call. */
export function serverTraceOf(metadata: Metadata): TraceContext | undefined {
  return (metadata as WithServerTrace)[SERVER_TRACE];
}

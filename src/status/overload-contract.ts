// The overload contract on the wire, shared by the server's admission
// (src/overload) and the client's cooperation (src/resilience/pushback.ts):
// one definition, so both sides can never drift apart.

/** The standard trailer (gRPC A6) in which a server says how long a client should wait before retrying. */
export const PUSHBACK_TRAILER = 'grpc-retry-pushback-ms';

/** The google.rpc.ErrorInfo domain and reasons of a tusk-grpc server's admission refusals. */
export const OVERLOAD_DOMAIN = 'tusk-grpc';
export const OVERLOADED_REASON = 'OVERLOADED';
export const DEADLINE_TOO_SHORT_REASON = 'DEADLINE_TOO_SHORT';
export type ShedReason = typeof OVERLOADED_REASON | typeof DEADLINE_TOO_SHORT_REASON;

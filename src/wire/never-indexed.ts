// HPACK (RFC 7541) adds a header to both peers' tables so later blocks can
// name it by index. A value that is new on every call (the request id, the
// traceparent, the grpc-timeout left) is never named again: indexing it only evicts entries that
// would be (content-type, grpc-accept-encoding) and costs both sides table
// work, about 15 % of a trivial call's throughput in a node:http2 server under
// h2load. Such headers go out as never-indexed literals (node's sensitiveHeaders).
import { sensitiveHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER } from '../telemetry/propagation.js';

const NEW_ON_EVERY_CALL: readonly string[] = Object.freeze([REQUEST_ID_HEADER, TRACEPARENT_HEADER, 'grpc-timeout']);

/** Marks the per-call headers of `headers` (whichever it has) never-indexed. */
export function neverIndexPerCallValues(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  (headers as Record<symbol, unknown>)[sensitiveHeaders] = NEW_ON_EVERY_CALL;
  return headers;
}

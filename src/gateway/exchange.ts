import type { IncomingMessage, ServerResponse } from 'node:http';
import { deadlineOptions, requestedTimeoutMs } from './deadline.js';
import type { GatewayMethod } from './http-rules.js';
import type { JsonOptions } from './message-json.js';
import type { ErrorResponse } from './http-errors.js';
import type { UpstreamCall, Upstreams } from './upstream.js';

/** What every protocol handler of the gateway shares. */
export interface GatewayRuntime {
  readonly upstreams: Upstreams;
  readonly maxBodyBytes: number;
  readonly maxTimeoutMs: number;
  readonly json: JsonOptions;
}

/** One HTTP request as the handlers see it: parsed URL, request id, and cancellation when the client goes away. */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly requestId: string;
  /** Aborted when the client closes the connection before the answer: the upstream call is cancelled. */
  readonly signal: AbortSignal;
  /** The upstream's response headers and trailers, once it sent them (text values; `-bin` ones base64). */
  readonly upstream: { header?: Readonly<Record<string, string>>; trailer?: Readonly<Record<string, string>> };
}

/**
 * Upstream metadata a protocol may pass on as HTTP headers: not gRPC's own
 * (grpc-status, grpc-message, grpc-encoding...), not HTTP's framing, and only
 * names and values HTTP allows.
 */
export function forwardableMetadata(metadata: Readonly<Record<string, string>> | undefined): [string, string][] {
  if (metadata === undefined) return [];
  return Object.entries(metadata).filter(([key, value]) => !key.startsWith('grpc-') && !NOT_PASSED_BACK.has(key) && HEADER_NAME.test(key) && HEADER_VALUE.test(value));
}

const NOT_PASSED_BACK = new Set(['content-type', 'content-length', 'te', 'date', 'connection', 'transfer-encoding', 'trailer', 'x-request-id']);
const HEADER_NAME = /^[0-9a-z!#$%&'*+.^_`|~-]+$/;
const HEADER_VALUE = /^[\t -~]*$/;

export function send(exchange: Exchange, status: number, contentType: string, body: string | Uint8Array, headers: Readonly<Record<string, string>> = {}): void {
  const { response } = exchange;
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
    'x-request-id': exchange.requestId,
  });
  response.end(body);
}

export function sendError(exchange: Exchange, error: ErrorResponse, headers: Readonly<Record<string, string>> = {}): void {
  send(exchange, error.status, 'application/json', error.body, { ...headers, ...error.headers });
}

/**
 * The upstream's headers and trailers as HTTP headers under the protocol's
 * names: `grpc-metadata-`/`grpc-trailer-` for REST (as grpc-gateway), the
 * key itself and `trailer-` for Connect unary. Trailers only when known (`withTrailers`).
 */
export function metadataHeaders(exchange: Exchange, headerPrefix: string, trailerPrefix: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of forwardableMetadata(exchange.upstream.header)) out[`${headerPrefix}${key}`] = value;
  if (trailerPrefix !== undefined) for (const [key, value] of forwardableMetadata(exchange.upstream.trailer)) out[`${trailerPrefix}${key}`] = value;
  return out;
}

/** The request's media type, lower case, without parameters ("application/json; charset=utf-8" → "application/json"). */
export function mediaTypeOf(exchange: Exchange): string | undefined {
  return exchange.request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
}

/**
 * The upstream call for a request, whatever the protocol: its headers (metadata,
 * trace), request id, cancellation, and the deadline (grpc-timeout or
 * connect-timeout-ms, capped by max_timeout). A malformed timeout throws 400.
 */
export function upstreamCall(runtime: GatewayRuntime, method: GatewayMethod, exchange: Exchange, request: Uint8Array, route: string): UpstreamCall {
  const { headers } = exchange.request;
  return {
    method: method.runtime, request, headers, requestId: exchange.requestId, route, signal: exchange.signal,
    ...deadlineOptions(requestedTimeoutMs(headers), runtime.maxTimeoutMs),
    onHeader: (header) => (exchange.upstream.header = header),
    onTrailer: (trailer) => (exchange.upstream.trailer = trailer),
  };
}

// The status a call ends with, as HTTP/2 headers: grpc-status, grpc-message
// percent-encoded, and the status metadata (its -bin values, such as
// grpc-status-details-bin, base64 through grpc-js' Metadata).
import type { OutgoingHttpHeaders } from 'node:http2';
import type { Metadata } from '@grpc/grpc-js';
import { percentEncodeMessage } from './percent-encoding.js';
import { neverIndexPerCallValues } from './never-indexed.js';

export type HeaderBlock = OutgoingHttpHeaders;

/** grpc-status, grpc-message and the metadata's entries, added to `into`. */
export function statusHeaders(into: HeaderBlock, code: number, details: string | undefined, metadata: Metadata | null | undefined): HeaderBlock {
  // A trailers-only answer carries the call's request id.
  if (metadata) neverIndexPerCallValues(Object.assign(into, metadata.toHttp2Headers()));
  into['grpc-status'] = code;
  if (!saysNothing(code, details)) into['grpc-message'] = percentEncodeMessage(details!);
  return into;
}

const OK_TRAILERS: HeaderBlock = Object.freeze({ 'grpc-status': 0 });

/** The trailers of a status; a plain OK is one shared block (node copies the trailers it is given). */
export function statusTrailers(code: number, details: string | undefined, metadata: Metadata | null | undefined): HeaderBlock {
  return !metadata && code === 0 && saysNothing(code, details) ? OK_TRAILERS : statusHeaders({}, code, details, metadata);
}

/** No grpc-message: none given, or an OK status's "OK" (grpc-go and C-core send none with OK either). */
function saysNothing(code: number, details: string | undefined): boolean {
  return !details || (code === 0 && details === 'OK');
}

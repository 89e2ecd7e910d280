// The status a call ends with, as HTTP/2 headers: grpc-status, grpc-message
// percent-encoded as the gRPC spec asks (bytes outside printable ASCII, and
// '%' itself, as %XX of their UTF-8), and the status metadata (its -bin
// values, such as grpc-status-details-bin, base64 through grpc-js' Metadata).
import type { OutgoingHttpHeaders } from 'node:http2';
import type { Metadata } from '@grpc/grpc-js';

const PLAIN_MESSAGE = /^[\x20-\x24\x26-\x7e]*$/;

export function percentEncodeMessage(message: string): string {
  if (PLAIN_MESSAGE.test(message)) return message;
  let encoded = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    encoded += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

export type HeaderBlock = OutgoingHttpHeaders;

/** grpc-status, grpc-message and the metadata's entries, added to `into`. */
export function statusHeaders(into: HeaderBlock, code: number, details: string | undefined, metadata: Metadata | null | undefined): HeaderBlock {
  if (metadata) Object.assign(into, metadata.toHttp2Headers());
  into['grpc-status'] = code;
  if (details) into['grpc-message'] = percentEncodeMessage(details);
  return into;
}

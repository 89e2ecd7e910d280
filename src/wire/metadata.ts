// Metadata as text records (`-bin` values base64, as the client Transport
// interface carries them) to and from HTTP/2 header blocks. node:http2 joins
// repeated headers with ", " except set-cookie; gRPC joins repeated -bin
// values with "," (each base64), so a record's value already has that form.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

// gRPC's rules for metadata, which grpc-js' Metadata enforces (it throws on set, drops on receive).
const LEGAL_KEY = /^[0-9a-z_.-]+$/;

/** A metadata key: lowercase letters, digits, "-", "_" and ".". */
export function isLegalMetadataKey(key: string): boolean {
  return LEGAL_KEY.test(key);
}

/** A text (non -bin) metadata value: printable ASCII. A loop, not /^[ -~]*$/: the regex showed in hot-path profiles. */
export function isLegalMetadataText(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** Headers the gRPC layer owns: never metadata. */
const RESERVED = new Set(['content-type', 'te', 'user-agent', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'accept-encoding', 'grpc-status', 'grpc-message', 'content-length']);

/** Adds the caller's metadata to a request header block; `-bin` base64 is sent as it is (unpadded or padded, both legal). */
export function addMetadataHeaders(into: OutgoingHttpHeaders, metadata: Readonly<Record<string, string>>): OutgoingHttpHeaders {
  for (const key in metadata) {
    if (key.charCodeAt(0) === 0x3a || RESERVED.has(key)) continue;
    into[key] = metadata[key]!;
  }
  return into;
}

/** A response header or trailer block as metadata text, without pseudo-headers and gRPC's own. */
export function metadataRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const record: Record<string, string> = {};
  for (const key in headers) {
    if (key.charCodeAt(0) === 0x3a || RESERVED.has(key)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    record[key] = Array.isArray(value) ? value.join(key.endsWith('-bin') ? ',' : ', ') : String(value);
  }
  return record;
}

/** One -bin header's bytes: repeated values (comma-joined) are concatenated, as the first value is all most keys carry. */
export function binaryHeader(headers: IncomingHttpHeaders, key: string): Buffer | undefined {
  const value = headers[key];
  if (value === undefined) return undefined;
  const first = (Array.isArray(value) ? value[0]! : String(value)).split(',')[0]!;
  return Buffer.from(first.trim(), 'base64');
}

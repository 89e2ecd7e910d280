// Statuses a call gets when the server sent no grpc-status: the gRPC spec's
// table for HTTP statuses, and grpc-js' for RST_STREAM codes.
import http2 from 'node:http2';
import { Code } from '../../status/codes.js';
import { TuskError } from '../../status/tusk-error.js';

export function httpStatusCode(status: number): Code {
  switch (status) {
    case 400: return Code.INTERNAL;
    case 401: return Code.UNAUTHENTICATED;
    case 403: return Code.PERMISSION_DENIED;
    case 404: return Code.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return Code.UNAVAILABLE;
    default: return Code.UNKNOWN;
  }
}

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY } = http2.constants;

export function resetStreamStatus(rstCode: number): TuskError {
  if (rstCode === NGHTTP2_CANCEL) return new TuskError(Code.CANCELLED, 'Call cancelled by the server (RST_STREAM CANCEL)');
  if (rstCode === NGHTTP2_ENHANCE_YOUR_CALM) return new TuskError(Code.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded (RST_STREAM ENHANCE_YOUR_CALM)');
  if (rstCode === NGHTTP2_INADEQUATE_SECURITY) return new TuskError(Code.PERMISSION_DENIED, 'Protocol not secure enough (RST_STREAM INADEQUATE_SECURITY)');
  return new TuskError(Code.INTERNAL, `Received RST_STREAM with code ${rstCode}`);
}

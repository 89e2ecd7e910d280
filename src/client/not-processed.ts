// Which grpc-js failures prove that no server application ever saw the call.
// grpc-js (1.14) surfaces them only as a status code plus its own fixed
// details text: the call's `progress` (REFUSED / NOT_STARTED) is stripped
// before it reaches a public API, and our channels turn grpc-js's transparent
// retry off (pipeline.ts retries, so budget and breakers see every attempt).
import { NotSentError, RefusedStreamError } from '../resilience/failure.js';
import { Code } from '../status/codes.js';

interface GrpcFailure {
  readonly code: number;
  readonly details: string;
}

/**
 * The rule (README "How it behaves"): a failure is "not sent", and any method
 * may be retried on another endpoint, when
 * - the server refused the stream: RST_STREAM(REFUSED_STREAM), which is also
 *   how a stream above a GOAWAY's last-stream-id ends (nghttp2 closes those
 *   with REFUSED_STREAM): "Stream refused by server";
 * - the connection never became ready: the load-balancing pick failed, so no
 *   stream was opened ("No connection established...");
 * - grpc-js could not open the HTTP/2 stream on a connection that was closing
 *   ("Failed to start HTTP/2 stream...").
 * The NotSentError carries its own text, so a service that relays it to its
 * own caller sends a status no client will read as "not sent" again.
 */
export function notProcessedError(failure: GrpcFailure): NotSentError | undefined {
  const { code, details } = failure;
  if (code === Code.UNAVAILABLE && details === 'Stream refused by server') {
    return new RefusedStreamError(Code.UNAVAILABLE, 'the server refused the stream before processing it (REFUSED_STREAM or GOAWAY)');
  }
  if (code === Code.UNAVAILABLE && details.startsWith('No connection established')) {
    return new NotSentError(Code.UNAVAILABLE, `no connection became ready: ${details.slice('No connection established'.length).replace(/^\. /, '')}`.trim());
  }
  if (code === Code.INTERNAL && details.startsWith('Failed to start HTTP/2 stream')) {
    return new NotSentError(Code.UNAVAILABLE, `the connection closed before the call started: ${details}`);
  }
  return undefined;
}

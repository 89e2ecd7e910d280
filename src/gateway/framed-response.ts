import { once } from 'node:events';
import { metadataHeaders, type Exchange } from './exchange.js';

/**
 * How gRPC-Web and Connect streaming answer: HTTP 200, then the messages as
 * frames, then one closing frame carrying the status (gRPC-Web trailers,
 * Connect's end-of-stream JSON). A failure, even before any message, is that
 * closing frame: these protocols never use the HTTP status for a call's outcome.
 */
export interface FramedProtocol {
  readonly contentType: string;
  /** One response message as the bytes to write (framed; base64 for grpc-web-text). */
  message(bytes: Uint8Array): Uint8Array | string;
  /** The closing frame: success when `error` is undefined. */
  end(error: unknown): Uint8Array | string;
}

export async function sendFramed(exchange: Exchange, protocol: FramedProtocol, messages: () => AsyncGenerator<Uint8Array>): Promise<void> {
  const { response } = exchange;
  // The head waits for the first message (or the end): by then the upstream's response headers are known.
  const writeHead = () => {
    if (response.headersSent) return;
    response.writeHead(200, { ...metadataHeaders(exchange, '', undefined), 'content-type': protocol.contentType, 'x-request-id': exchange.requestId, 'cache-control': 'no-cache' });
  };
  let failure: unknown;
  try {
    for await (const bytes of messages()) {
      writeHead();
      if (!response.write(protocol.message(bytes))) await Promise.race([once(response, 'drain'), once(exchange.signal, 'abort')]);
      if (exchange.signal.aborted) return; // the client went away: leaving the loop cancels the upstream
    }
  } catch (error) {
    failure = error;
  }
  if (exchange.signal.aborted) return;
  writeHead();
  response.end(protocol.end(failure));
}

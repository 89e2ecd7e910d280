// A bare HTTP/2 gRPC caller. grpc-js' client keeps reading a paused server
// stream into memory, so only a plain node:http2 stream that is not read
// leaves the flow-control window closed: what a slow reader really looks like.
import http2 from 'node:http2';

export interface RawH2Call {
  readonly stream: http2.ClientHttp2Stream;
  close(): void;
}

/** One length-prefixed, uncompressed gRPC message. */
export function grpcFrame(payload: Buffer): Buffer {
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, 5);
  return frame;
}

/** Starts a call with one request message and half-closes; the response stream starts paused. */
export function openH2Call(address: string, path: string, request: Buffer): RawH2Call {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => undefined);
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  stream.pause();
  stream.end(grpcFrame(request));
  return {
    stream,
    close: () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      session.close();
    },
  };
}

/** One call on `session` whose request body is `body` as given (length prefix included); resolves with the grpc-status it ended with, from the trailers or a trailers-only response. */
export function rawCallStatus(session: http2.ClientHttp2Session, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    let status: unknown;
    stream.on('response', (headers) => (status ??= headers['grpc-status']));
    stream.on('trailers', (trailers) => (status = trailers['grpc-status']));
    stream.on('data', () => undefined);
    stream.on('close', () => resolve(Number(status)));
    stream.on('error', reject);
    stream.end(body);
  });
}

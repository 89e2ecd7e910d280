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

// The floor under every server the benchmark measures: a scratch gRPC unary
// echo on node:http2 with the same codec and nothing else (no deadlines, no
// metadata, no compression, one message per call). Not a server anyone should
// run; it shows what node:http2 itself costs per call.
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { echoMethod, toBuffer } from './echo-servers.js';
import type { EchoRequest } from '../test/helpers/echo-service.js';

const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };
const OK_TRAILERS = { 'grpc-status': '0' };

function frame(payload: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(5 + payload.length);
  framed[0] = 0;
  framed.writeUInt32BE(payload.length, 1);
  payload.copy(framed, 5);
  return framed;
}

function serveEcho(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  if (headers[':path'] !== echoMethod.path) {
    stream.respond({ ...RESPONSE_HEADERS, 'grpc-status': '12' }, { endStream: true });
    return;
  }
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const request = echoMethod.deserializeRequest(body.subarray(5, 5 + body.readUInt32BE(1))) as EchoRequest;
    const response = toBuffer(echoMethod.serializeResponse({ text: request.text, instance: 'minimal' }));
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(OK_TRAILERS));
    stream.end(frame(response));
  });
  stream.on('error', () => undefined);
}

/** Plaintext on 127.0.0.1; resolves with the port. */
export function startMinimalHttp2EchoServer(): Promise<number> {
  const server = http2.createServer();
  server.on('stream', serveEcho);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

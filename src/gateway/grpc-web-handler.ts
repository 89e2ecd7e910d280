import { Code } from '../status/codes.js';
import { encodeStatusDetails } from '../status/status-details.js';
import { asTuskError } from '../status/tusk-error.js';
import { decodeFrames, encodeFrame, GRPC_WEB_TRAILER_FLAG, singleMessage } from './envelope.js';
import { forwardableMetadata, upstreamCall, type Exchange, type GatewayRuntime } from './exchange.js';
import { sendFramed, type FramedProtocol } from './framed-response.js';
import { readBody } from './http-body.js';
import { GatewayFailure } from './http-errors.js';
import type { GatewayMethod } from './http-rules.js';
import { checkBinary } from './message-json.js';

/** `application/grpc-web`, `application/grpc-web+proto` and their `-text` (base64) forms. */
export function grpcWebMode(mediaType: string | undefined): 'binary' | 'text' | undefined {
  if (mediaType === 'application/grpc-web' || mediaType === 'application/grpc-web+proto') return 'binary';
  if (mediaType === 'application/grpc-web-text' || mediaType === 'application/grpc-web-text+proto') return 'text';
  return undefined;
}

/**
 * gRPC-Web (github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md): the gRPC
 * framing over HTTP/1.1, with the trailers as a last frame (flag 0x80) of
 * `name:value\r\n` lines, so browsers, which cannot read HTTP trailers, get
 * the status. Unary and server-streaming calls; the text mode is the same
 * bytes in base64, which the gateway writes one chunk per frame.
 */
export async function serveGrpcWeb(runtime: GatewayRuntime, method: GatewayMethod, exchange: Exchange, mode: 'binary' | 'text'): Promise<void> {
  const encode = (bytes: Uint8Array): Uint8Array | string => (mode === 'text' ? Buffer.from(bytes).toString('base64') : bytes);
  const protocol: FramedProtocol = {
    contentType: mode === 'text' ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto',
    message: (bytes) => encode(encodeFrame(0, bytes)),
    end: (error) => encode(encodeFrame(GRPC_WEB_TRAILER_FLAG, Buffer.from(trailerLines(error, exchange), 'latin1'))),
  };
  await sendFramed(exchange, protocol, async function* () {
    const { kind } = method.runtime;
    if (kind !== 'unary' && kind !== 'server_streaming') throw new GatewayFailure(Code.UNIMPLEMENTED, `${method.runtime.path} is ${kind.replace('_', ' ')}: gRPC-Web carries unary and server-streaming calls`);
    const raw = await readBody(exchange.request, runtime.maxBodyBytes);
    const body = mode === 'text' ? decodeBase64Chunks(raw.toString('latin1')) : raw;
    const request = checkBinary(method.proto.input, singleMessage(decodeFrames(body)));
    yield* runtime.upstreams.responses(method.service.descriptor.name, upstreamCall(runtime, method, exchange, request, `POST ${method.runtime.path}`));
  });
}

/** The trailer block: the upstream's trailers, grpc-status, grpc-message (percent-encoded, as in gRPC), the details as grpc-status-details-bin. */
function trailerLines(error: unknown, exchange: Exchange): string {
  const lines = forwardableMetadata(exchange.upstream.trailer).map(([key, value]) => `${key}:${value}\r\n`);
  if (error === undefined) return `${lines.join('')}grpc-status:0\r\ngrpc-message:\r\n`;
  const failure = asTuskError(error);
  const details = encodeStatusDetails(failure.code, failure.message, failure.details);
  const message = encodeURIComponent(failure.message).replace(/%20/g, ' ');
  if (details !== undefined) lines.push(`grpc-status-details-bin:${Buffer.from(details).toString('base64').replace(/=+$/, '')}\r\n`);
  return `${lines.join('')}grpc-status:${failure.code}\r\ngrpc-message:${message}\r\n`;
}

/** A grpc-web-text body may be several base64 chunks, each with its own padding. */
function decodeBase64Chunks(text: string): Buffer {
  const chunks = text.replace(/\s+/g, '').match(/[^=]+={0,2}|={1,2}/g) ?? [];
  return Buffer.concat(chunks.map((chunk) => Buffer.from(chunk, 'base64')));
}

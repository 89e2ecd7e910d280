import { Code } from '../status/codes.js';
import { CONNECT_END_STREAM_FLAG, decodeFrames, encodeFrame, singleMessage } from './envelope.js';
import { forwardableMetadata, upstreamCall, type Exchange, type GatewayRuntime } from './exchange.js';
import { sendFramed, type FramedProtocol } from './framed-response.js';
import { readBody } from './http-body.js';
import { connectErrorResponse, GatewayFailure } from './http-errors.js';
import type { GatewayMethod } from './http-rules.js';
import { binaryToJson, checkBinary, jsonToBinary, parseJsonText } from './message-json.js';

/** `application/connect+json` and `application/connect+proto`: Connect's streaming content types. */
export function connectStreamCodec(mediaType: string | undefined): 'json' | 'proto' | undefined {
  if (mediaType === 'application/connect+json') return 'json';
  if (mediaType === 'application/connect+proto') return 'proto';
  return undefined;
}

/**
 * A Connect server stream (connectrpc.com/docs/protocol, "Streaming"): one
 * enveloped request message in, enveloped response messages out, and an
 * end-of-stream frame (flag 0x02) whose JSON carries the error, if any.
 * This is what @connectrpc/connect-web's transport sends for server streams.
 */
export async function serveConnectStream(runtime: GatewayRuntime, method: GatewayMethod, exchange: Exchange, codec: 'json' | 'proto'): Promise<void> {
  const { input, output } = method.proto;
  const { registry } = method.service;
  const protocol: FramedProtocol = {
    contentType: `application/connect+${codec}`,
    message: (bytes) => encodeFrame(0, codec === 'proto' ? bytes : Buffer.from(JSON.stringify(binaryToJson(output, bytes, registry, runtime.json)))),
    end: (error) => encodeFrame(CONNECT_END_STREAM_FLAG, Buffer.from(endOfStream(error, exchange))),
  };
  await sendFramed(exchange, protocol, async function* () {
    if (method.runtime.kind !== 'server_streaming') {
      throw new GatewayFailure(Code.UNIMPLEMENTED, `${method.runtime.path} is ${method.runtime.kind.replace('_', ' ')}: the gateway's Connect streaming serves server streams (unary calls use application/${codec})`);
    }
    const message = singleMessage(decodeFrames(await readBody(exchange.request, runtime.maxBodyBytes)));
    const text = codec === 'json' ? Buffer.from(message).toString('utf8') : undefined;
    const request = text === undefined ? checkBinary(input, message) : jsonToBinary(input, parseJsonText(text), registry, text);
    yield* runtime.upstreams.serverStream(method.service.descriptor.name, upstreamCall(runtime, method, exchange, request, `POST ${method.runtime.path}`));
  });
}

/** The end-of-stream JSON: `{ error?, metadata? }`, the upstream's trailers as metadata (each a list of values). */
function endOfStream(error: unknown, exchange: Exchange): string {
  const trailers = forwardableMetadata(exchange.upstream.trailer);
  const metadata = trailers.length === 0 ? '' : `"metadata":${JSON.stringify(Object.fromEntries(trailers.map(([key, value]) => [key, [value]])))}`;
  const failure = error === undefined ? '' : `"error":${connectErrorResponse(error).body}`;
  return `{${[failure, metadata].filter(Boolean).join(',')}}`;
}

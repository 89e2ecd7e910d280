import type { Registry } from '@bufbuild/protobuf';
import { Code } from '../status/codes.js';
import { CONNECT_END_STREAM_FLAG, decodeFrames, encodeFrame, singleMessage, streamFrames, uncompressed, type Frame } from './envelope.js';
import { forwardableMetadata, upstreamCall, type Exchange, type GatewayRuntime } from './exchange.js';
import { sendFramed, type FramedProtocol } from './framed-response.js';
import { bodyTooLarge, readBody } from './http-body.js';
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
 * Client streams send many request envelopes and get one message back.
 */
export async function serveConnectStream(runtime: GatewayRuntime, method: GatewayMethod, exchange: Exchange, codec: 'json' | 'proto'): Promise<void> {
  const { output } = method.proto;
  const { registry } = method.service;
  const protocol: FramedProtocol = {
    contentType: `application/connect+${codec}`,
    message: (bytes) => encodeFrame(0, codec === 'proto' ? bytes : Buffer.from(JSON.stringify(binaryToJson(output, bytes, registry, runtime.json)))),
    end: (error) => encodeFrame(CONNECT_END_STREAM_FLAG, Buffer.from(endOfStream(error, exchange, registry))),
  };
  const toBinary = (message: Uint8Array): Uint8Array => requestBinary(method, codec, message);
  await sendFramed(exchange, protocol, async function* () {
    if (method.runtime.kind === 'client_streaming') {
      yield await clientStreamAnswer(runtime, method, exchange, toBinary);
      return;
    }
    if (method.runtime.kind !== 'server_streaming') {
      throw new GatewayFailure(
        Code.UNIMPLEMENTED,
        `${method.runtime.path} is ${method.runtime.kind.replace('_', ' ')}: Connect bidi streaming needs a full-duplex HTTP/2 connection, the gateway's HTTP/1.1 serves server and client streams (unary calls use application/${codec})`,
      );
    }
    const request = toBinary(singleMessage(decodeFrames(await readBody(exchange.request, runtime.maxBodyBytes))));
    yield* runtime.upstreams.serverStream(method.service.descriptor.name, upstreamCall(runtime, method, exchange, request, `POST ${method.runtime.path}`));
  });
}

/** One enveloped request message as protobuf binary: JSON converted, binary checked; INVALID_ARGUMENT when it is neither. */
function requestBinary(method: GatewayMethod, codec: 'json' | 'proto', message: Uint8Array): Uint8Array {
  const { input } = method.proto;
  if (codec === 'proto') return checkBinary(input, message);
  const text = Buffer.from(message).toString('utf8');
  return jsonToBinary(input, parseJsonText(text), method.service.registry, text);
}

const NO_REQUEST = new Uint8Array(0);

/**
 * A Connect client stream: the request envelopes go upstream one by one as
 * they arrive, so the body is never held whole. The first message is read
 * before the upstream call, so a body that is malformed from the start never
 * reaches a service; a bad envelope later ends the call with that error.
 */
async function clientStreamAnswer(runtime: GatewayRuntime, method: GatewayMethod, exchange: Exchange, toBinary: (message: Uint8Array) => Uint8Array): Promise<Uint8Array> {
  const messages = requestMessages(streamFrames(exchange.request, runtime.maxBodyBytes, () => bodyTooLarge(runtime.maxBodyBytes)), toBinary);
  let bodyFailure: unknown;
  try {
    const first = await messages.next();
    const requests = async function* () {
      if (first.done === true) return;
      yield first.value;
      try {
        yield* messages;
      } catch (error) {
        throw (bodyFailure = error); // the client pipeline reports it as CANCELLED; the caller gets this instead
      }
    };
    const call = upstreamCall(runtime, method, exchange, NO_REQUEST, `POST ${method.runtime.path}`);
    return await runtime.upstreams.clientStream(method.service.descriptor.name, call, requests()).catch((error: unknown) => {
      throw bodyFailure ?? error;
    });
  } finally {
    // Not awaited: a read may still wait on a client that keeps its body open after the upstream answered.
    messages.return(undefined).catch(() => undefined);
    exchange.request.resume(); // an upstream that answered early leaves body unread: drain it so the answer goes out
  }
}

/** The message envelopes of a request stream as binary; an end-stream envelope ends it, compressed ones are refused. */
async function* requestMessages(frames: AsyncGenerator<Frame>, toBinary: (message: Uint8Array) => Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const frame of frames) {
    if ((frame.flags & CONNECT_END_STREAM_FLAG) !== 0) return;
    yield toBinary(uncompressed(frame));
  }
}

/** The end-of-stream JSON: `{ error?, metadata? }`, the upstream's trailers as metadata (each a list of values). */
function endOfStream(error: unknown, exchange: Exchange, registry: Registry): string {
  const trailers = forwardableMetadata(exchange.upstream.trailer);
  const metadata = trailers.length === 0 ? '' : `"metadata":${JSON.stringify(Object.fromEntries(trailers.map(([key, value]) => [key, [value]])))}`;
  const failure = error === undefined ? '' : `"error":${connectErrorResponse(error, registry).body}`;
  return `{${[failure, metadata].filter(Boolean).join(',')}}`;
}

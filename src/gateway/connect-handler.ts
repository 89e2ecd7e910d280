import { Code } from '../status/codes.js';
import { mediaTypeOf, metadataHeaders, send, sendError, upstreamCall, type Exchange, type GatewayRuntime } from './exchange.js';
import { readBody } from './http-body.js';
import type { GatewayMethod } from './http-rules.js';
import { connectErrorResponse, GatewayFailure } from './http-errors.js';
import { binaryToJson, checkBinary, jsonToBinary, parseJsonText } from './message-json.js';

/** The Connect protocol's unary codecs (connectrpc.com/docs/protocol): the content type names the body's encoding. */
type ConnectCodec = 'json' | 'proto';

function codecOf(mediaType: string | undefined): ConnectCodec | undefined {
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/proto') return 'proto';
  return undefined;
}

/**
 * A Connect unary call: POST with a JSON or binary body, answered 200 with the
 * response in the same encoding, or with Connect's JSON error body and the
 * HTTP status of its code.
 */
export async function serveConnect(runtime: GatewayRuntime, method: GatewayMethod, exchange: Exchange): Promise<void> {
  try {
    if (exchange.request.method !== 'POST') {
      throw new GatewayFailure(Code.UNIMPLEMENTED, `Connect unary calls are POST, not ${exchange.request.method}`, 405, undefined, { allow: 'POST' });
    }
    const codec = codecOf(mediaTypeOf(exchange));
    if (method.runtime.kind !== 'unary') {
      throw new GatewayFailure(Code.UNIMPLEMENTED, `${method.runtime.path} is ${method.runtime.kind.replace('_', ' ')}: call it with Connect's streaming content types (application/connect+json or application/connect+proto)`, 415);
    }
    if (codec === undefined) {
      throw new GatewayFailure(Code.UNIMPLEMENTED, `content-type "${exchange.request.headers['content-type'] ?? ''}" is not application/json or application/proto`, 415);
    }
    const { input, output } = method.proto;
    const { registry } = method.service;
    const body = await readBody(exchange.request, runtime.maxBodyBytes);
    let request: Uint8Array;
    if (codec === 'proto') request = checkBinary(input, body);
    else {
      const text = body.toString('utf8');
      request = jsonToBinary(input, text.trim() === '' ? {} : parseJsonText(text), registry, text);
    }
    const answer = await runtime.upstreams.unary(method.service.descriptor.name, upstreamCall(runtime, method, exchange, request, `POST ${method.runtime.path}`));
    // Connect unary: response headers as they are, trailers prefixed "trailer-".
    const metadata = metadataHeaders(exchange, '', 'trailer-');
    if (codec === 'proto') send(exchange, 200, 'application/proto', answer, metadata);
    else send(exchange, 200, 'application/json', JSON.stringify(binaryToJson(output, answer, registry, runtime.json)), metadata);
  } catch (error) {
    sendError(exchange, connectErrorResponse(error, method.service.registry), metadataHeaders(exchange, '', 'trailer-'));
  }
}

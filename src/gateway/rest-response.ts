import type { JsonValue } from '@bufbuild/protobuf';
import { once } from 'node:events';
import { metadataHeaders, type Exchange, type GatewayRuntime } from './exchange.js';
import type { GatewayMethod, HttpBinding } from './http-rules.js';
import { restErrorResponse } from './http-errors.js';
import { binaryToJson, isJsonObject } from './message-json.js';

/** Upstream response metadata over REST, as grpc-gateway names it. */
export const REST_HEADER_PREFIX = 'grpc-metadata-';
export const REST_TRAILER_PREFIX = 'grpc-trailer-';

/** A response message as the REST body: the whole message, or its `response_body` field. */
export function restResponseJson(runtime: GatewayRuntime, method: GatewayMethod, binding: HttpBinding, bytes: Uint8Array): JsonValue {
  const whole = binaryToJson(method.proto.output, bytes, method.service.registry, runtime.json);
  if (binding.responseBody === '' || !isJsonObject(whole)) return whole;
  const field = method.proto.output.fields.find((candidate) => candidate.name === binding.responseBody)!;
  return whole[field.jsonName] ?? null;
}

/**
 * A server stream over REST: newline-delimited JSON, or Server-Sent Events
 * when the client accepts text/event-stream. The first message is awaited
 * before the 200 goes out, so a stream that fails at once gets its proper
 * HTTP status; a failure later is the last line (`{"error": Status}`) or an
 * `event: error`. A client that goes away aborts `exchange.signal`, which
 * cancels the upstream stream.
 */
export async function sendRestStream(runtime: GatewayRuntime, method: GatewayMethod, binding: HttpBinding, messages: AsyncGenerator<Uint8Array>, exchange: Exchange): Promise<void> {
  const sse = /\btext\/event-stream\b/.test(exchange.request.headers.accept ?? '');
  const frame = (json: JsonValue, event?: string): string => (sse ? `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(json)}\n\n` : `${JSON.stringify(event ? { [event]: json } : json)}\n`);
  const { response } = exchange;
  try {
    let next = await messages.next(); // a failure here is thrown to the caller: an ordinary error response
    response.writeHead(200, {
      ...metadataHeaders(exchange, REST_HEADER_PREFIX, undefined), // a stream's trailers come after the head
      'content-type': sse ? 'text/event-stream' : 'application/x-ndjson',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no', // proxies such as nginx would otherwise hold the messages back
      'x-request-id': exchange.requestId,
    });
    try {
      for (; !next.done; next = await messages.next()) {
        if (!response.write(frame(restResponseJson(runtime, method, binding, next.value)))) await drainedOrClosed(exchange);
        if (exchange.signal.aborted) return;
      }
    } catch (error) {
      if (!exchange.signal.aborted) response.write(frame(JSON.parse(restErrorResponse(error, method.service.registry).body) as JsonValue, 'error'));
    }
    response.end();
  } finally {
    await messages.return(undefined); // stops the upstream when we stopped first
  }
}

async function drainedOrClosed(exchange: Exchange): Promise<void> {
  if (exchange.signal.aborted) return;
  await Promise.race([once(exchange.response, 'drain'), once(exchange.signal, 'abort')]);
}

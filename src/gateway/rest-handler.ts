import type { FileRegistry, JsonValue } from '@bufbuild/protobuf';
import { Code } from '../status/codes.js';
import { metadataHeaders, send, sendError, upstreamCall, type Exchange, type GatewayRuntime } from './exchange.js';
import { readBody } from './http-body.js';
import { GatewayFailure, restErrorResponse } from './http-errors.js';
import { jsonToBinary, parseJsonText } from './message-json.js';
import { REST_HEADER_PREFIX, REST_TRAILER_PREFIX, restResponseJson, sendRestStream } from './rest-response.js';
import { requestJson } from './request-fields.js';
import type { RouteMatch } from './router.js';

/** REST transcoding: an HTTP request on a google.api.http route (`match`, from RestRouter) becomes one upstream call, its answer JSON. */
export async function serveRest(runtime: GatewayRuntime, match: RouteMatch, exchange: Exchange): Promise<void> {
  const httpMethod = exchange.request.method ?? 'GET';
  let registry: FileRegistry | undefined; // the service's, once the route is known: error details may be its types
  try {
    if (match.kind === 'not-found') throw new GatewayFailure(Code.NOT_FOUND, `no route for ${httpMethod} ${exchange.url.pathname}`, 404);
    if (match.kind === 'wrong-method') {
      throw new GatewayFailure(Code.UNIMPLEMENTED, `${httpMethod} is not allowed on ${exchange.url.pathname} (allowed: ${match.allowed.join(', ')})`, 405, undefined, { allow: match.allowed.join(', ') });
    }
    const { route, bindings } = match;
    const { method, binding } = route;
    registry = method.service.registry;
    const { kind } = method.runtime;
    if (kind !== 'unary' && kind !== 'server_streaming') {
      throw new GatewayFailure(Code.UNIMPLEMENTED, `${method.runtime.path} is ${kind.replace('_', ' ')}: REST carries unary and server-streaming calls only`, 501);
    }
    let bodyText: string | undefined;
    let body: JsonValue | undefined;
    if (binding.body !== '') {
      bodyText = (await readBody(exchange.request, runtime.maxBodyBytes)).toString('utf8');
      if (bodyText.trim() !== '') body = parseJsonText(bodyText);
      else if (binding.body === '*') body = {};
    }
    const json = requestJson(method.proto.input, binding, bindings, exchange.url.searchParams, body);
    const request = jsonToBinary(method.proto.input, json, registry, bodyText);
    const call = upstreamCall(runtime, method, exchange, request, `${binding.httpMethod} ${binding.template.source}`);
    const service = method.service.descriptor.name;
    if (kind === 'server_streaming') return await sendRestStream(runtime, method, binding, runtime.upstreams.serverStream(service, call), exchange);
    const answer = await runtime.upstreams.unary(service, call);
    send(exchange, 200, 'application/json', JSON.stringify(restResponseJson(runtime, method, binding, answer)), metadataHeaders(exchange, REST_HEADER_PREFIX, REST_TRAILER_PREFIX));
  } catch (error) {
    sendError(exchange, restErrorResponse(error, registry), metadataHeaders(exchange, REST_HEADER_PREFIX, REST_TRAILER_PREFIX));
  }
}

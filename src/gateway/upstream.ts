import { context as otelContext, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientOptions } from '../client/client-options.js';
import { closeClient, createClient } from '../client/create-client.js';
import type { MethodDescriptor, ServiceDescriptor } from '../config/service-definition.js';
import { codeName } from '../status/codes.js';
import { asTuskError, messageOf, type TuskError } from '../status/tusk-error.js';
import { contextFromTraceHeaders, injectTraceContext, REQUEST_ID_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../telemetry/propagation.js';
import { TRACER_NAME } from '../telemetry/client-tracer.js';
import { isLegalMetadataKey, isLegalMetadataText } from '../wire/metadata.js';

type UnaryBytes = (request: Uint8Array, options: Record<string, unknown>) => Promise<Uint8Array>;
type StreamBytes = (request: Uint8Array, options: Record<string, unknown>) => AsyncIterable<Uint8Array>;
type ClientStreamBytes = (requests: AsyncIterable<Uint8Array>, options: Record<string, unknown>) => Promise<Uint8Array>;

const passBytes = (bytes: Uint8Array): Uint8Array => bytes;

/**
 * The service's descriptor with codecs that pass bytes through: the gateway
 * already holds the request as protobuf binary (from JSON or as sent) and
 * wants the response as binary, so the client pipeline carries bytes and no
 * ts-proto object is built on the way.
 */
function bytesDescriptor(descriptor: ServiceDescriptor): ServiceDescriptor {
  const methods: Record<string, MethodDescriptor> = {};
  for (const [key, method] of Object.entries(descriptor.methods)) {
    methods[key] = { ...method, serializeRequest: passBytes, deserializeRequest: passBytes, serializeResponse: passBytes, deserializeResponse: passBytes };
  }
  return { ...descriptor, methods };
}

/** What one upstream call (unary or server stream) needs from the HTTP request. */
export interface UpstreamCall {
  readonly method: MethodDescriptor;
  readonly request: Uint8Array;
  readonly headers: IncomingHttpHeaders;
  /** The caller's x-request-id, or one the gateway made up: the upstream sees the id the caller gets back. */
  readonly requestId: string;
  /** e.g. "GET /v1/items/{sku}" or "POST /pkg.Svc/Method": the gateway span's name. */
  readonly route: string;
  readonly timeout?: number;
  readonly deadline: number;
  readonly signal: AbortSignal;
  /** Called with the upstream's response headers, and its trailers, as the client pipeline reports them. */
  readonly onHeader?: (header: Readonly<Record<string, string>>) => void;
  readonly onTrailer?: (trailer: Readonly<Record<string, string>>) => void;
}

/** The tusk clients of the gateway's services: discovery, balancing, retries, breakers and deadlines as any caller has them. */
export class Upstreams {
  private readonly clients = new Map<string, Record<string, UnaryBytes | StreamBytes | ClientStreamBytes>>();

  constructor(services: readonly ServiceDescriptor[], clientOptions: (descriptor: ServiceDescriptor) => ClientOptions) {
    for (const descriptor of services) this.clients.set(descriptor.name, createClient(bytesDescriptor(descriptor), clientOptions(descriptor)));
  }

  /**
   * Runs the call inside a SERVER span whose parent is the caller's
   * `traceparent`; the client pipeline's span is that span's child, and its
   * traceparent is what the upstream receives.
   */
  unary(service: string, call: UpstreamCall): Promise<Uint8Array> {
    return this.oneAnswer(service, call, (method, options) => (method as UnaryBytes)(call.request, options));
  }

  /** A client stream: `requests` are sent as they come (the call's `request` is unused), one answer back. */
  clientStream(service: string, call: UpstreamCall, requests: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
    return this.oneAnswer(service, call, (method, options) => (method as ClientStreamBytes)(requests, options));
  }

  /** A call with one answer (unary, client stream) inside its span. */
  private async oneAnswer(service: string, call: UpstreamCall, run: (method: unknown, options: Record<string, unknown>) => Promise<Uint8Array>): Promise<Uint8Array> {
    const traced = this.start(service, call);
    try {
      const response = await otelContext.with(traced.context, () => run(traced.method, traced.options));
      succeeded(traced.span);
      return response;
    } catch (error) {
      throw failed(traced.span, error);
    }
  }

  /** A server stream, as unary; the span ends with the stream. Ending the iteration early (or `call.signal`) cancels the upstream. */
  async *serverStream(service: string, call: UpstreamCall): AsyncGenerator<Uint8Array> {
    const traced = this.start(service, call);
    let failure: TuskError | undefined;
    try {
      yield* otelContext.with(traced.context, () => (traced.method as StreamBytes)(call.request, traced.options));
    } catch (error) {
      throw (failure = failed(traced.span, error));
    } finally {
      // Also when the reader left early (the HTTP client went away): the stream was cancelled, not failed.
      if (failure === undefined) succeeded(traced.span);
    }
  }

  /** A unary answer or a server stream's messages, for the protocols that frame both alike (gRPC-Web, Connect streaming). */
  async *responses(service: string, call: UpstreamCall): AsyncGenerator<Uint8Array> {
    if (call.method.kind === 'server_streaming') yield* this.serverStream(service, call);
    else yield await this.unary(service, call);
  }

  private start(service: string, call: UpstreamCall) {
    const method = this.clients.get(service)![call.method.localName]!;
    const parent = contextFromTraceHeaders(traceHeaders(call.headers));
    const span = trace.getTracer(TRACER_NAME).startSpan(call.route, { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': call.method.name } }, parent);
    const context = trace.setSpan(parent, span);
    const metadata = { ...forwardedMetadata(call.headers), [REQUEST_ID_HEADER]: call.requestId };
    // In metadata as well as active: the client pipeline parents its span on a traceparent it is given,
    // which works without a context manager (no SDK started) too.
    injectTraceContext(metadata, context);
    const options = { timeout: call.timeout, deadline: call.deadline, signal: call.signal, metadata, onHeader: call.onHeader, onTrailer: call.onTrailer };
    return { method, span, context, options };
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => closeClient(client)));
    this.clients.clear();
  }
}

function succeeded(span: Span): void {
  span.setStatus({ code: SpanStatusCode.OK });
  span.end();
}

/** Ends the span with the call's failure; returns it as a TuskError for the caller to throw. */
function failed(span: Span, error: unknown): TuskError {
  const failure = asTuskError(error);
  span.setAttribute('rpc.grpc.status_code', failure.code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${codeName(failure.code)}: ${messageOf(error)}` });
  span.end();
  return failure;
}

function traceHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [TRACEPARENT_HEADER, TRACESTATE_HEADER]) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** HTTP's own headers and those the gateway turns into something else (deadline, trace, body format) stay at the edge. */
const NOT_FORWARDED = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length', 'content-type',
  'content-encoding', 'accept', 'accept-encoding', 'accept-language', 'user-agent', 'cookie', 'origin', 'referer', 'expect', 'http2-settings',
  'grpc-timeout', 'connect-timeout-ms', 'connect-protocol-version', 'x-grpc-web', 'x-user-agent', TRACEPARENT_HEADER, TRACESTATE_HEADER,
]);

/** The caller's headers as upstream metadata: authorization, x-request-id, custom headers. */
function forwardedMetadata(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (NOT_FORWARDED.has(name) || name.startsWith('grpc-') || name.startsWith('sec-') || !isLegalMetadataKey(name) || name.endsWith('-bin')) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    // grpc-js refuses other keys and non-printable text values: such headers are dropped rather than failing the call.
    if (value !== undefined && isLegalMetadataText(value)) metadata[name] = value;
  }
  return metadata;
}

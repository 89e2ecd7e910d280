// A hand-built service descriptor with JSON codecs covering all four RPC kinds.
// The runtime is codec-agnostic, so server and client tests need no generated code.
import { defineService, type MethodDescriptor, type MethodKind, type RawDescriptor, type ServiceDescriptor } from '../../src/config/index.js';
import { ServiceBase } from '../../src/server/service-base.js';
import type { CallContext } from '../../src/server/call-context.js';

export interface EchoRequest { text: string; delayMs?: number; fail?: number; /** CountUp: fail with `fail` after this many messages. */ failAfter?: number }
export interface EchoResponse { text: string; instance: string; attempt?: number }

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const toJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
const fromJson = (bytes: Uint8Array): any => {
  const text = decoder.decode(bytes);
  const value = JSON.parse(text);
  if (value === null || typeof value !== 'object') throw new Error('request is not a JSON object');
  return value;
};

function method(name: string, kind: MethodKind): MethodDescriptor<EchoRequest, EchoResponse> {
  return {
    name,
    localName: name[0]!.toLowerCase() + name.slice(1),
    path: `/test.v1.EchoService/${name}`,
    kind,
    serializeRequest: toJson,
    deserializeRequest: fromJson,
    serializeResponse: toJson,
    deserializeResponse: fromJson,
  };
}

export function echoDescriptor(config: RawDescriptor = {}): ServiceDescriptor {
  return defineService({
    name: 'test.v1.EchoService',
    protoFile: 'test/v1/echo.proto',
    descriptorFile: null,
    methods: {
      echo: method('Echo', 'unary'),
      create: method('Create', 'unary'),
      countUp: method('CountUp', 'server_streaming'),
      collect: method('Collect', 'client_streaming'),
      chat: method('Chat', 'bidi_streaming'),
    },
    config,
  });
}

/** The shape a generated `EchoServiceBase` would have. */
export abstract class EchoServiceBase extends ServiceBase {
  readonly descriptor: ServiceDescriptor;
  constructor(config: RawDescriptor = {}) {
    super();
    this.descriptor = echoDescriptor(config);
  }
  abstract echo(request: EchoRequest, ctx: CallContext): Promise<EchoResponse>;
  abstract create(request: EchoRequest, ctx: CallContext): Promise<EchoResponse>;
  abstract countUp(request: EchoRequest, ctx: CallContext): AsyncIterable<EchoResponse>;
  abstract collect(requests: AsyncIterable<EchoRequest>, ctx: CallContext): Promise<EchoResponse>;
  abstract chat(requests: AsyncIterable<EchoRequest>, ctx: CallContext): AsyncIterable<EchoResponse>;
}

/** The client interface a generated `EchoServiceClient` would have. */
export interface EchoServiceClient {
  echo(request: EchoRequest, options?: import('../../src/client/call-options.js').CallOptions): Promise<EchoResponse>;
  create(request: EchoRequest, options?: import('../../src/client/call-options.js').CallOptions): Promise<EchoResponse>;
  countUp(request: EchoRequest, options?: import('../../src/client/call-options.js').CallOptions): AsyncIterable<EchoResponse>;
  collect(requests: AsyncIterable<EchoRequest>, options?: import('../../src/client/call-options.js').CallOptions): Promise<EchoResponse>;
  chat(requests: AsyncIterable<EchoRequest>, options?: import('../../src/client/call-options.js').CallOptions): AsyncIterable<EchoResponse>;
}

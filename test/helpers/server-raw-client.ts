// A bare grpc-js client for the EchoService (JSON codecs from the descriptor):
// server tests talk to the runtime the way any gRPC client would, without
// going through tusk-grpc's own client pipeline.
import * as grpc from '@grpc/grpc-js';
import { echoDescriptor, type EchoRequest, type EchoResponse } from './echo-service.js';
import { grpcDefinition } from './grpc-definition.js';

export type RawEchoClient = grpc.Client & {
  echo: (...args: any[]) => grpc.ClientUnaryCall;
  create: (...args: any[]) => grpc.ClientUnaryCall;
  countUp: (...args: any[]) => grpc.ClientReadableStream<EchoResponse>;
  collect: (...args: any[]) => grpc.ClientWritableStream<EchoRequest>;
  chat: (...args: any[]) => grpc.ClientDuplexStream<EchoRequest, EchoResponse>;
};

export function rawEchoClient(address: string, options: grpc.ClientOptions = {}): RawEchoClient {
  const definition = grpcDefinition(echoDescriptor(), 'localName');
  const Client = grpc.makeGenericClientConstructor(definition, 'EchoService');
  return new Client(address, grpc.credentials.createInsecure(), options) as unknown as RawEchoClient;
}

export interface UnaryResult<T> {
  readonly response: T;
  readonly headers: grpc.Metadata;
}

/** Promise form of a raw unary call; rejects with grpc-js' ServiceError. */
export function unary<T = EchoResponse>(
  client: RawEchoClient,
  method: 'echo' | 'create',
  request: unknown,
  options: { metadata?: grpc.Metadata; deadline?: number; onCall?: (call: grpc.ClientUnaryCall) => void } = {},
): Promise<UnaryResult<T>> {
  return new Promise((resolve, reject) => {
    let headers = new grpc.Metadata();
    const call = client[method](
      request,
      options.metadata ?? new grpc.Metadata(),
      options.deadline !== undefined ? { deadline: options.deadline } : {},
      (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve({ response, headers })),
    );
    call.on('metadata', (metadata: grpc.Metadata) => (headers = metadata));
    options.onCall?.(call);
  });
}

/** Sends raw bytes to a method path, bypassing any codec. */
export function rawBytesCall(client: grpc.Client, path: string, payload: Buffer, deadline?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      payload,
      new grpc.Metadata(),
      deadline !== undefined ? { deadline } : {},
      (error, response) => (error ? reject(error) : resolve(response!)),
    );
  });
}

/** Polls `condition` every 10 ms until true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

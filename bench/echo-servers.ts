// The echo servers the server-side benchmarks measure: raw grpc-js, and a
// TuskServer built from a given runtime (this checkout's, or another one's for
// before/after runs in one process), so every variant answers the same call.
import * as grpc from '@grpc/grpc-js';
import { echoDescriptor, type EchoRequest, type EchoResponse } from '../test/helpers/echo-service.js';
import type { ServerCallHook } from '../src/server/server-hooks.js';
export { noopCallHook as hookOff } from '../src/server/server-hooks.js';

export const echoMethod = echoDescriptor().methods['echo']!;
export const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A handler that answers later (the memory bench holds calls open with one). */
export type EchoAnswer = (request: EchoRequest) => Promise<EchoResponse>;

/**
 * A plain grpc-js server with the same codec (plaintext unless `credentials` say otherwise); resolves with its port.
 * Without `answer` it echoes at once, in the callback, as the throughput benches measure it.
 */
export async function startRawEchoServer(credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(), answer?: EchoAnswer): Promise<number> {
  const server = new grpc.Server();
  server.addService({
    Echo: {
      path: echoMethod.path, requestStream: false, responseStream: false,
      requestSerialize: (m: unknown) => toBuffer(echoMethod.serializeRequest(m)), requestDeserialize: (b: Buffer) => echoMethod.deserializeRequest(b),
      responseSerialize: (m: unknown) => toBuffer(echoMethod.serializeResponse(m)), responseDeserialize: (b: Buffer) => echoMethod.deserializeResponse(b),
    },
  }, {
    Echo: answer === undefined
      ? (call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) => callback(null, { text: call.request.text, instance: 'raw' })
      : (call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) => void answer(call.request).then((response) => callback(null, response)),
  });
  return new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
}

/** The runtime pieces a TuskServer variant is built from (loaded from whichever checkout is measured). */
export interface BenchRuntime {
  readonly TuskServer: typeof import('../src/server/tusk-server.js').TuskServer;
  readonly StaticRegistry: typeof import('../src/discovery/static-registry.js').StaticRegistry;
  readonly createLogger: typeof import('../src/telemetry/logger.js').createLogger;
  readonly EchoServiceBase: typeof import('../test/helpers/echo-service.js').EchoServiceBase;
}

/** The environment its descriptor is resolved against (TUSK_TLS_*) and the echo descriptor's sections ([auth]). */
export interface TuskEchoSecurity {
  readonly env?: Readonly<Record<string, string>>;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A TuskServer hosting the echo service on loopback; `hooks` replaces the default trace/metrics stages. */
export async function startTuskEchoServer(
  runtime: BenchRuntime,
  instance: string,
  hooks: { trace?: ServerCallHook; metrics?: ServerCallHook } = {},
  security: TuskEchoSecurity = {},
): Promise<number> {
  class Echo extends runtime.EchoServiceBase {
    async echo(request: EchoRequest): Promise<EchoResponse> { return { text: request.text, instance }; }
    async create(request: EchoRequest): Promise<EchoResponse> { return { text: request.text, instance }; }
    async *countUp(): AsyncIterable<EchoResponse> { /* unused */ }
    async collect(): Promise<EchoResponse> { return { text: '', instance }; }
    async *chat(): AsyncIterable<EchoResponse> { /* unused */ }
  }
  const server = new runtime.TuskServer({
    host: '127.0.0.1', port: 0, registry: new runtime.StaticRegistry([]), handleSignals: false, reflection: false,
    logger: runtime.createLogger({ level: 'info', destination: process.stderr as never, pretty: false, env: {} }),
    env: { ...process.env, ...security.env },
    ...hooks,
  });
  server.add(new Echo(security.config as never));
  await server.start();
  return server.port;
}

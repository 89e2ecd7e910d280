// A plain grpc-js server for the EchoService fixture (until TuskServer lands), in process or as a child process.
import { after, before } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { BadRequest } from '../../../src/status/google/rpc/error_details.js';
import { Status } from '../../../src/status/google/rpc/status.js';
import { echoDescriptor, type EchoRequest } from '../../helpers/echo-service.js';
import { grpcDefinition } from '../../helpers/grpc-definition.js';

export interface EchoServerOptions {
  /** Added to every call's latency. */
  readonly delayMs?: number;
  readonly port?: number;
  /** Called with the text of every Create execution (counting non-idempotent runs). */
  readonly onCreate?: (text: string) => void;
  /** Called with the remaining deadline of every Echo call (ms, Infinity when none). */
  readonly onEcho?: (request: EchoRequest, remainingMs: number, call: grpc.ServerUnaryCall<unknown, unknown>) => void;
  /** Called with the request metadata of every call of every method. */
  readonly onMetadata?: (method: string, metadata: grpc.Metadata) => void;
}

export interface EchoServer {
  readonly port: number;
  readonly address: string;
  readonly calls: { count: number };
  stop(): Promise<void>;
}

const sleep = (ms: number, signal?: { cancelled: boolean }) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.cancelled) return resolve();
    setTimeout(resolve, ms);
  });

export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const descriptor = echoDescriptor();
  const server = new grpc.Server();
  const calls = { count: 0 };
  let port = 0;
  const instance = () => `127.0.0.1:${port}`;
  const definition = grpcDefinition(descriptor);
  const failWith = (request: EchoRequest): grpc.ServiceError | null => {
    if (!request.fail) return null;
    const metadata = new grpc.Metadata();
    // What any gRPC server sends (Go's status.WithDetails, Python's rpc_status): a google.rpc.Status with Any details.
    const badRequest = BadRequest.encode({ fieldViolations: [{ field: 'text', description: 'asked to fail', reason: '', localizedMessage: undefined }] }).finish();
    const custom = { typeUrl: 'type.googleapis.com/acme.v1.Custom', value: Buffer.from([8, 7]) };
    const status = { code: request.fail, message: `failed on request: ${request.text}`, details: [{ typeUrl: 'type.googleapis.com/google.rpc.BadRequest', value: Buffer.from(badRequest) }, custom] };
    metadata.set('grpc-status-details-bin', Buffer.from(Status.encode(status).finish()));
    return Object.assign(new Error('asked to fail'), { code: request.fail, details: `failed on request: ${request.text}`, metadata });
  };
  const handlers: grpc.UntypedServiceImplementation = {
    Echo: async (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      calls.count++;
      options.onMetadata?.('Echo', call.metadata);
      const deadline = call.getDeadline();
      const remaining = deadline instanceof Date ? deadline.getTime() - Date.now() : typeof deadline === 'number' && Number.isFinite(deadline) ? deadline - Date.now() : Infinity;
      options.onEcho?.(call.request, remaining, call as grpc.ServerUnaryCall<unknown, unknown>);
      await sleep((options.delayMs ?? 0) + (call.request.delayMs ?? 0), call);
      if (call.cancelled) return;
      const failure = failWith(call.request);
      if (failure) return callback(failure);
      // A JSON string where the client's codec expects an object: undecodable for the client.
      if (call.request.text === 'undecodable') return callback(null, 'not an object');
      callback(null, { text: call.request.text, instance: instance() });
    },
    Create: async (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      calls.count++;
      options.onMetadata?.('Create', call.metadata);
      options.onCreate?.(call.request.text);
      await sleep((options.delayMs ?? 0) + (call.request.delayMs ?? 0));
      callback(null, { text: call.request.text, instance: instance() });
    },
    CountUp: async (call: grpc.ServerWritableStream<EchoRequest, unknown>) => {
      calls.count++;
      options.onMetadata?.('CountUp', call.metadata);
      const failure = failWith(call.request);
      if (failure && call.request.failAfter === undefined) return void call.emit('error', failure);
      const count = Number(call.request.text);
      for (let i = 1; i <= count && !call.cancelled; i++) {
        if (failure && i > call.request.failAfter!) return void call.emit('error', failure);
        call.write({ text: String(i), instance: instance() });
        await sleep(call.request.delayMs ?? 0);
      }
      call.end();
    },
    Collect: (call: grpc.ServerReadableStream<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      calls.count++;
      options.onMetadata?.('Collect', call.metadata);
      const texts: string[] = [];
      call.on('data', (request: EchoRequest) => texts.push(request.text));
      call.on('end', () => callback(null, { text: texts.join(','), instance: instance() }));
      call.on('error', () => {});
    },
    Chat: (call: grpc.ServerDuplexStream<EchoRequest, unknown>) => {
      calls.count++;
      options.onMetadata?.('Chat', call.metadata);
      call.on('data', (request: EchoRequest) => call.write({ text: `re:${request.text}`, instance: instance() }));
      call.on('end', () => call.end());
      call.on('error', () => {});
    },
  };
  server.addService(definition, handlers);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    address: instance(),
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

/** Two echo servers started before a test file's tests and stopped after them; read the fields inside tests. */
export function twoEchoServersPerFile(): { first: EchoServer; second: EchoServer } {
  const servers = {} as { first: EchoServer; second: EchoServer };
  before(async () => {
    [servers.first, servers.second] = await Promise.all([startEchoServer(), startEchoServer()]);
  });
  after(async () => {
    await Promise.all([servers.first.stop(), servers.second.stop()]);
  });
  return servers;
}

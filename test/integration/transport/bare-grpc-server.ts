// A bare @grpc/grpc-js server speaking the test EchoService (JSON messages),
// as a peer for the lean client: errors with a non-ASCII message and details,
// metadata echoed back as headers and trailers, slow and cancellable calls,
// and large responses, all chosen by the request.
import * as grpc from '@grpc/grpc-js';
import { echoDescriptor, type EchoRequest } from '../../helpers/echo-service.js';
import { grpcDefinition } from '../../helpers/grpc-definition.js';
import { encodeStatusDetails } from '../../../src/status/status-details.js';
import { toBuffer } from '../../../src/status/bytes.js';

/** What every grpc-js server call has: its metadata and the 'cancelled' event. */
type SurfaceCall = Pick<grpc.ServerUnaryCall<unknown, unknown>, 'metadata'> & import('node:events').EventEmitter;

export const NON_ASCII_MESSAGE = 'échec — 失败 100% ✓';
export const DESCRIPTOR = echoDescriptor();
const encoder = new TextEncoder();
export const encode = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const decode = (bytes: Uint8Array): { text: string; instance: string } => JSON.parse(Buffer.from(bytes).toString('utf8'));

export interface BareServer {
  readonly address: string;
  readonly server: grpc.Server;
  /** Calls that ended because the client cancelled them (RST_STREAM). */
  cancelled: number;
  inFlight: number;
  maxInFlight: number;
  /** The most calls one connection (the caller's address and port) ran at once, and the connections seen. */
  maxInFlightOnOneConnection: number;
  readonly connections: Set<string>;
  served: number;
  /** user-agent of every caller: which client transport made the calls. */
  readonly userAgents: Set<string>;
  close(): Promise<void>;
}

function statusFor(text: string): grpc.StatusObject {
  const code = Number(text.slice('status:'.length));
  const metadata = new grpc.Metadata();
  const details = encodeStatusDetails(code, NON_ASCII_MESSAGE, { errorInfo: { reason: 'ON_PURPOSE', domain: 'test', metadata: {} } });
  if (details !== undefined) metadata.set('grpc-status-details-bin', toBuffer(details));
  return { code, details: NON_ASCII_MESSAGE, metadata };
}

/** Waits `ms`, or less when the call is cancelled meanwhile. */
function pause(call: SurfaceCall, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    call.once('cancelled', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startBareServer(instance: string, options: grpc.ServerOptions = {}, port = 0): Promise<BareServer> {
  const server = new grpc.Server(options);
  const state: BareServer = { address: '', server, cancelled: 0, inFlight: 0, maxInFlight: 0, maxInFlightOnOneConnection: 0, connections: new Set(), served: 0, userAgents: new Set(), close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
  const onConnection = new Map<string, number>();
  /** Returns what the call does when it stops running. */
  const track = (call: SurfaceCall & Pick<grpc.ServerUnaryCall<unknown, unknown>, 'getPeer'>): (() => void) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    const peer = call.getPeer();
    state.connections.add(peer);
    onConnection.set(peer, (onConnection.get(peer) ?? 0) + 1);
    state.maxInFlightOnOneConnection = Math.max(state.maxInFlightOnOneConnection, onConnection.get(peer)!);
    for (const agent of call.metadata.get('user-agent')) state.userAgents.add(String(agent));
    call.once('cancelled', () => state.cancelled++);
    return () => onConnection.set(peer, onConnection.get(peer)! - 1);
  };
  const unary = async (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    const stopped = track(call);
    const { text, delayMs } = call.request;
    if (delayMs !== undefined) await pause(call, delayMs);
    state.inFlight--;
    stopped();
    state.served++;
    if (text.startsWith('status:')) return callback(statusFor(text));
    if (text === 'meta') {
      const echoed = new grpc.Metadata();
      for (const key of ['x-tenant', 'x-blob-bin']) for (const value of call.metadata.get(key)) echoed.add(key, value);
      call.sendMetadata(echoed);
      return callback(null, { text, instance }, echoed.clone());
    }
    if (text.startsWith('big:')) return callback(null, { text: 'x'.repeat(Number(text.slice(4))), instance });
    callback(null, { text: text.startsWith('size:') ? String(text.length) : text, instance });
  };
  server.addService(grpcDefinition(DESCRIPTOR), {
    Echo: unary,
    Create: unary,
    CountUp: async (call: grpc.ServerWritableStream<EchoRequest, unknown>) => {
      track(call);
      const { text, delayMs } = call.request;
      for (let i = 0; i < Number(text) && !call.cancelled; i++) {
        if (!call.write({ text: String(i), instance })) await new Promise((resolve) => call.once('drain', resolve));
        if (delayMs !== undefined) await pause(call, delayMs);
      }
      state.inFlight--;
      if (call.request.fail !== undefined) return call.emit('error', statusFor(`status:${call.request.fail}`));
      if (!call.cancelled) call.end();
    },
    Collect: (call: grpc.ServerReadableStream<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      track(call);
      const texts: string[] = [];
      call.on('data', (request: EchoRequest) => texts.push(request.text));
      call.on('end', () => {
        state.inFlight--;
        callback(null, { text: texts.join(','), instance });
      });
    },
    Chat: (call: grpc.ServerDuplexStream<EchoRequest, unknown>) => {
      track(call);
      call.on('data', (request: EchoRequest) => call.write({ text: `echo:${request.text}`, instance }));
      call.on('end', () => {
        state.inFlight--;
        call.end();
      });
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) => (error ? reject(error) : resolve(actual))),
  );
  return Object.assign(state, { address: `127.0.0.1:${bound}` });
}

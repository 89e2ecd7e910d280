// A plain grpc-js EchoService server that speaks the overload contract (issue 15) until the admission branch
// lands: a shed call is UNAVAILABLE + trailer grpc-retry-pushback-ms + RetryInfo and ErrorInfo OVERLOADED in
// grpc-status-details-bin; a call whose deadline is too short is DEADLINE_EXCEEDED + ErrorInfo DEADLINE_TOO_SHORT.
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ErrorInfo, RetryInfo } from '../../../src/status/google/rpc/error_details.js';
import { Status } from '../../../src/status/google/rpc/status.js';
import { echoDescriptor, type EchoRequest } from '../../helpers/echo-service.js';
import { grpcDefinition } from '../../helpers/grpc-definition.js';

/** What the server answers a call that arrives now. */
export type Admission =
  | { readonly kind: 'serve' }
  /** `pushback`: the trailer's text as sent ("-1" = do not retry), undefined = no trailer; `retryDelayMs`: RetryInfo. */
  | { readonly kind: 'shed'; readonly pushback?: string; readonly retryDelayMs?: number }
  | { readonly kind: 'too_short' };

export interface SheddingServerOptions {
  /** Decides each call; default serve all. May be swapped at run time through `server.admission`. */
  readonly admission?: () => Admission;
  /** Handler time of a served call. */
  readonly delayMs?: number;
  /** Serve at most this many at once; the rest are shed with `overflowPushback` (a server-side fixed limit). */
  readonly maxInFlight?: number;
  readonly overflowPushback?: string;
}

export interface SheddingServer {
  readonly address: string;
  /** performance.now() of every call that arrived, served or not, and of every answer that was a shed. */
  readonly arrivals: number[];
  readonly shedAt: number[];
  /** Handlers that ran (a Create that ran twice would show here). */
  readonly served: { count: number };
  admission: () => Admission;
  delayMs: number;
  stop(): Promise<void>;
}

const OVERLOADED = ErrorInfo.encode({ reason: 'OVERLOADED', domain: 'tusk-grpc', metadata: {} }).finish();
const TOO_SHORT = ErrorInfo.encode({ reason: 'DEADLINE_TOO_SHORT', domain: 'tusk-grpc', metadata: {} }).finish();

function statusError(code: grpc.status, message: string, details: { typeUrl: string; value: Uint8Array }[], pushback?: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (pushback !== undefined) metadata.set('grpc-retry-pushback-ms', pushback);
  const status = Status.encode({ code, message, details: details.map(({ typeUrl, value }) => ({ typeUrl, value: Buffer.from(value) })) }).finish();
  metadata.set('grpc-status-details-bin', Buffer.from(status));
  return Object.assign(new Error(message), { code, details: message, metadata });
}

export function shedError(answer: Extract<Admission, { kind: 'shed' }>): grpc.ServiceError {
  const details = [{ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: OVERLOADED }];
  if (answer.retryDelayMs !== undefined) {
    const seconds = Math.floor(answer.retryDelayMs / 1000);
    const retryDelay = { seconds: BigInt(seconds), nanos: (answer.retryDelayMs - seconds * 1000) * 1e6 };
    details.push({ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', value: RetryInfo.encode({ retryDelay }).finish() });
  }
  return statusError(grpc.status.UNAVAILABLE, 'server overloaded: call shed', details, answer.pushback);
}

const tooShortError = (): grpc.ServiceError =>
  statusError(grpc.status.DEADLINE_EXCEEDED, 'deadline too short for this method', [{ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: TOO_SHORT }]);

export async function startSheddingServer(options: SheddingServerOptions = {}): Promise<SheddingServer> {
  const descriptor = echoDescriptor();
  const server = new grpc.Server();
  let port = 0;
  let inFlight = 0;
  const state: SheddingServer = {
    address: '',
    arrivals: [],
    shedAt: [],
    served: { count: 0 },
    admission: options.admission ?? (() => ({ kind: 'serve' })),
    delayMs: options.delayMs ?? 0,
    stop: async () => server.forceShutdown(),
  };
  /** undefined = serve; else the error to answer with at once. */
  const admit = (): grpc.ServiceError | undefined => {
    state.arrivals.push(performance.now());
    let answer = state.admission();
    if (answer.kind === 'serve' && options.maxInFlight !== undefined && inFlight >= options.maxInFlight) answer = { kind: 'shed', pushback: options.overflowPushback };
    if (answer.kind === 'serve') return undefined;
    if (answer.kind === 'too_short') return tooShortError();
    state.shedAt.push(performance.now());
    return shedError(answer);
  };
  const definition = grpcDefinition(descriptor);
  const unary = (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>): void => {
    const refusal = admit();
    if (refusal !== undefined) return callback(refusal);
    inFlight++;
    state.served.count++;
    const delay = state.delayMs + (call.request.delayMs ?? 0);
    const answer = () => {
      inFlight--;
      callback(null, { text: call.request.text, instance: state.address });
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  };
  const handlers: grpc.UntypedServiceImplementation = {
    Echo: unary,
    Create: unary,
    CountUp: (call: grpc.ServerWritableStream<EchoRequest, unknown>) => {
      const refusal = admit();
      if (refusal !== undefined) return void call.emit('error', refusal);
      state.served.count++;
      for (let i = 1; i <= Number(call.request.text); i++) call.write({ text: String(i), instance: state.address });
      call.end();
    },
    Collect: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED }),
    Chat: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.emit('error', { code: grpc.status.UNIMPLEMENTED }),
  };
  server.addService(definition, handlers);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  (state as { address: string }).address = `127.0.0.1:${port}`;
  return state;
}

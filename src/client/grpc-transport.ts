// The grpc-js implementation of Transport: one channel per endpoint address.
import * as grpc from '@grpc/grpc-js';
import type { ClientConnectionLimits } from '../config/types.js';
import { NotSentError } from '../resilience/failure.js';
import type { ClientTls } from '../security/tls/client-tls.js';
import { Code } from '../status/codes.js';
import type { Transport, TransportCallOptions } from './transport.js';
import { grpcError, pumpRequests, readResponses, reportMetadata, toGrpcMetadata, toBuffer } from './grpc-stream.js';

const identity = (buffer: Buffer): Buffer => buffer;
/** Longest wait for a connection when the call itself has no deadline. */
const CONNECT_TIMEOUT_MS = 20_000;

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // Reconnect quickly after an instance comes back, so a half-open probe finds a connection.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  // Our pipeline retries; grpc-js's own retries would hide attempts from budget and breakers.
  'grpc.enable_retries': 0,
  // One transport per address already shares the connection; a private subchannel lets a probe's new channel
  // connect at once instead of inheriting the global pool's subchannel and its reconnect backoff.
  'grpc.use_local_subchannel_pool': 1,
};

/**
 * Rule for "the request provably never reached a server application": the
 * channel was never READY when we would have started the call (we wait for
 * READY ourselves; TRANSIENT_FAILURE, SHUTDOWN or the wait timing out throw
 * NotSentError), or grpc-js reports a failure that happens before a handler
 * can run: a refused stream, a stream above a GOAWAY's last-stream-id, a pick
 * with no ready connection (not-processed.ts, applied in grpcError). Any other
 * failure after the call started (even a dropped connection with no response
 * headers) counts as "may have reached the server": the server could have run
 * the handler before dying, so only idempotent methods are retried after it.
 */
export class GrpcTransport implements Transport {
  private client: grpc.Client;
  private readonly channelOptions: grpc.ChannelOptions;
  private readonly credentials: grpc.ChannelCredentials;
  readonly secure: boolean;

  /** `limits`: the target's [client] message sizes and keepalive; default grpc-js's own. `tls`: absent = plaintext. */
  constructor(readonly address: string, limits?: ClientConnectionLimits, tls?: ClientTls) {
    this.channelOptions = { ...CHANNEL_OPTIONS, ...(limits === undefined ? {} : limitOptions(limits)), ...tls?.channelOptions };
    this.credentials = tls?.credentials ?? grpc.credentials.createInsecure();
    this.secure = tls !== undefined;
    this.client = new grpc.Client(address, this.credentials, this.channelOptions);
  }

  unary(path: string, request: Uint8Array, options: TransportCallOptions): Promise<Uint8Array> {
    const waiting = this.whenReady(options);
    if (waiting === undefined) return this.startUnary(path, request, options);
    return waiting.then(() => this.startUnary(path, request, options));
  }

  clientStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): Promise<Uint8Array> {
    return (this.whenReady(options) ?? Promise.resolve()).then(
      () =>
        new Promise<Uint8Array>((resolve, reject) => {
          let pumpFailure: unknown;
          const call = this.client.makeClientStreamRequest(path, toBuffer, identity, toGrpcMetadata(options.metadata), callOptions(options), (error, response) => {
            detach();
            if (pumpFailure !== undefined) reject(pumpFailure);
            else if (error) reject(grpcError(error, this.address));
            else resolve(response!);
          });
          reportMetadata(call, options, this.address);
          const detach = cancelOnAbort(call, options.signal);
          pumpRequests(call, requests).catch((error: unknown) => {
            pumpFailure = error;
            call.cancel();
          });
        }),
    );
  }

  async *serverStream(path: string, request: Uint8Array, options: TransportCallOptions): AsyncIterable<Uint8Array> {
    await this.whenReady(options);
    const call = this.client.makeServerStreamRequest(path, toBuffer, identity, request, toGrpcMetadata(options.metadata), callOptions(options));
    reportMetadata(call, options, this.address);
    const detach = cancelOnAbort(call, options.signal);
    try {
      yield* readResponses(call, this.address);
    } finally {
      detach();
      call.cancel(); // no-op when already finished; stops the server when the consumer stopped early
    }
  }

  async *bidiStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): AsyncIterable<Uint8Array> {
    await this.whenReady(options);
    const call = this.client.makeBidiStreamRequest(path, toBuffer, identity, toGrpcMetadata(options.metadata), callOptions(options));
    reportMetadata(call, options, this.address);
    const detach = cancelOnAbort(call, options.signal);
    let pumpFailure: unknown;
    pumpRequests(call, requests).catch((error: unknown) => {
      pumpFailure = error;
      call.cancel();
    });
    try {
      yield* readResponses(call, this.address);
    } catch (error) {
      throw pumpFailure ?? error;
    } finally {
      detach();
      call.cancel();
    }
  }

  close(): void {
    this.client.close();
  }

  /** Nothing runs on a TRANSIENT_FAILURE channel; a call still waiting on it sees SHUTDOWN, a NotSentError. */
  private replaceChannel(): ReturnType<grpc.Client['getChannel']> {
    this.client.close();
    this.client = new grpc.Client(this.address, this.credentials, this.channelOptions);
    return this.client.getChannel();
  }

  private startUnary(path: string, request: Uint8Array, options: TransportCallOptions): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(path, toBuffer, identity, request, toGrpcMetadata(options.metadata), callOptions(options), (error, response) => {
        if (detach !== undefined) detach();
        if (error) reject(grpcError(error, this.address));
        else resolve(response!);
      });
      reportMetadata(call, options, this.address);
      const detach = options.signal === undefined ? undefined : cancelOnAbort(call, options.signal);
    });
  }

  /**
   * undefined when the channel is READY (the hot path stays synchronous); else resolves on READY or
   * rejects with a NotSentError: UNAVAILABLE when no connection could be made (in CONNECT_TIMEOUT_MS
   * when the call has no deadline), DEADLINE_EXCEEDED when the call's deadline came first,
   * CANCELLED as soon as its signal aborts.
   */
  private whenReady({ deadline, probe, signal }: TransportCallOptions): Promise<void> | undefined {
    let channel = this.client.getChannel();
    // Asking with tryToConnect=true costs grpc-js idle-timer work on every call; only do it when not READY.
    const current = channel.getConnectivityState(false);
    if (current === grpc.connectivityState.READY) return undefined;
    // A failed channel stays TRANSIENT_FAILURE until its next reconnect (up to max_reconnect_backoff), and grpc-js
    // offers no public way to cut that short. A breaker probe must find an instance that came back meanwhile, or
    // the breaker re-opens for another half_open_after: the probe gets a new channel, which connects at once.
    if (probe === true && current === grpc.connectivityState.TRANSIENT_FAILURE) channel = this.replaceChannel();
    const state = channel.getConnectivityState(true);
    const connectLimit = Date.now() + CONNECT_TIMEOUT_MS;
    const callBound = deadline !== undefined && deadline < connectLimit;
    const waitUntil = callBound ? deadline : connectLimit;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error?: NotSentError): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = (): void => settle(new NotSentError(Code.CANCELLED, `call cancelled while connecting to ${this.address}`));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const check = (current: grpc.connectivityState): void => {
        if (settled) return;
        if (current === grpc.connectivityState.READY) return settle();
        if (current === grpc.connectivityState.TRANSIENT_FAILURE || current === grpc.connectivityState.SHUTDOWN) {
          return settle(new NotSentError(Code.UNAVAILABLE, `no connection to ${this.address}`));
        }
        channel.watchConnectivityState(current, waitUntil, (error) => {
          if (!error) return check(channel.getConnectivityState(true));
          settle(callBound
            ? new NotSentError(Code.DEADLINE_EXCEEDED, `deadline exceeded while connecting to ${this.address}`)
            : new NotSentError(Code.UNAVAILABLE, `no connection to ${this.address} within ${CONNECT_TIMEOUT_MS / 1000} s`));
        });
      };
      check(state);
    });
  }
}

function limitOptions(limits: ClientConnectionLimits): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': limits.maxReceiveMessageBytes,
    'grpc.max_send_message_length': limits.maxSendMessageBytes,
    'grpc.keepalive_time_ms': limits.keepalive.timeMs,
    'grpc.keepalive_timeout_ms': limits.keepalive.timeoutMs,
    'grpc.keepalive_permit_without_calls': limits.keepalive.permitWithoutCalls ? 1 : 0,
  };
}

function callOptions(options: TransportCallOptions): grpc.CallOptions {
  return options.deadline === undefined ? {} : { deadline: options.deadline };
}

function cancelOnAbort(call: { cancel(): void }, signal: AbortSignal | undefined): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    queueMicrotask(() => call.cancel());
    return () => {};
  }
  const onAbort = (): void => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

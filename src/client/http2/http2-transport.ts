// The lean client Transport: gRPC over node:http2, which does the HTTP/2
// work (framing, flow control, HPACK). Same semantics as GrpcTransport: a
// call that never got a ready connection, or that the server refused
// (REFUSED_STREAM, above a GOAWAY's last-stream-id), is a NotSentError.
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import type { ClientConnectionLimits } from '../../config/types.js';
import { NotSentError } from '../../resilience/failure.js';
import { Code } from '../../status/codes.js';
import { markDownstream } from '../../status/downstream.js';
import { TuskError } from '../../status/tusk-error.js';
import { ACCEPTED_ENCODINGS, addMetadataHeaders, compress, encodeFrame, encodeGrpcTimeout, neverIndexPerCallValues } from '../../wire/index.js';
import type { Transport, TransportCallOptions } from '../transport.js';
import { ClientCall } from './client-call.js';
import { Http2Connection, type TrackedSession } from './connection.js';
import type { LeanClientTls } from './lean-client-tls.js';

const GRPC_DEFAULT_RECEIVE_BYTES = 4 * 1024 * 1024;
const USER_AGENT = 'tusk-grpc-http2/1';

export interface Http2ClientOptions {
  /** The target's [client] message sizes and keepalive; absent = gRPC's defaults (4 MB in, unbounded out, no pings). */
  readonly limits?: ClientConnectionLimits;
  /** Absent = plaintext. */
  readonly tls?: LeanClientTls;
  /** How requests are compressed; responses in any of identity, gzip, deflate are read. Default identity. */
  readonly sendEncoding?: 'identity' | 'gzip' | 'deflate';
}

export class Http2ClientTransport implements Transport {
  readonly secure: boolean;
  private readonly connection: Http2Connection;
  private readonly maxReceiveBytes: number;
  private readonly maxSendBytes: number;
  private readonly sendEncoding: 'identity' | 'gzip' | 'deflate';
  private readonly stopWatchingTls: (() => void) | undefined;
  private readonly callEnded = (session: TrackedSession): void => this.connection.end(session);

  constructor(readonly address: string, options: Http2ClientOptions = {}) {
    const { limits, tls } = options;
    this.secure = tls !== undefined;
    this.maxReceiveBytes = limits?.maxReceiveMessageBytes ?? GRPC_DEFAULT_RECEIVE_BYTES;
    this.maxSendBytes = limits?.maxSendMessageBytes ?? Number.MAX_SAFE_INTEGER;
    this.sendEncoding = options.sendEncoding ?? 'identity';
    this.stopWatchingTls = tls?.watch();
    this.connection = new Http2Connection(address, { limits, tls: tls === undefined ? undefined : () => tls.sessionOptions() });
  }

  /** For diagnostics and tests: the endpoint's connection state. */
  get state(): Http2Connection['state'] {
    return this.connection.state;
  }

  unary(path: string, request: Uint8Array, options: TransportCallOptions): Promise<Uint8Array> {
    const tooLarge = this.checkSendSize(request);
    if (tooLarge !== undefined) return Promise.reject(tooLarge);
    if (this.sendEncoding !== 'identity') return compress(this.sendEncoding, request).then((packed) => this.startUnary(path, encodeFrame(packed, true), options));
    return this.startUnary(path, encodeFrame(request, false), options);
  }

  async *serverStream(path: string, request: Uint8Array, options: TransportCallOptions): AsyncIterable<Uint8Array> {
    const tooLarge = this.checkSendSize(request);
    if (tooLarge !== undefined) throw tooLarge;
    const frame = await this.frame(request);
    const call = this.open(await this.session(options), path, options, false);
    call.stream.end(frame);
    yield* readAll(call);
  }

  clientStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): Promise<Uint8Array> {
    return this.session(options).then((session) => {
      const call = this.open(session, path, options, true);
      let pumpFailure: unknown;
      this.pump(call, requests).catch((error: unknown) => {
        pumpFailure = error;
        call.cancel(new TuskError(Code.CANCELLED, 'request stream failed'));
      });
      return call.read().then(
        (message) => message!,
        (error: unknown) => Promise.reject(pumpFailure ?? error),
      );
    });
  }

  async *bidiStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): AsyncIterable<Uint8Array> {
    const call = this.open(await this.session(options), path, options, false);
    let pumpFailure: unknown;
    this.pump(call, requests).catch((error: unknown) => {
      pumpFailure = error;
      call.cancel(new TuskError(Code.CANCELLED, 'request stream failed'));
    });
    try {
      yield* readAll(call);
    } catch (error) {
      throw pumpFailure ?? error;
    }
  }

  close(): void {
    this.stopWatchingTls?.();
    this.connection.close();
  }

  private startUnary(path: string, frame: Buffer, options: TransportCallOptions): Promise<Uint8Array> {
    const session = this.connection.ready();
    const call = session === undefined ? undefined : this.tryOpen(session, path, options, true);
    if (call instanceof ClientCall) {
      call.stream.end(frame);
      return call.read() as Promise<Uint8Array>;
    }
    if (call !== undefined) return Promise.reject(call);
    return this.session(options).then((ready) => {
      const opened = this.open(ready, path, options, true);
      opened.stream.end(frame);
      return opened.read() as Promise<Uint8Array>;
    });
  }

  private session(options: TransportCallOptions): Promise<ClientHttp2Session> {
    return Promise.resolve(this.connection.ready() ?? this.connection.connect(options.deadline, options.signal, options.probe === true));
  }

  private open(session: ClientHttp2Session, path: string, options: TransportCallOptions, unary: boolean): ClientCall {
    const call = this.tryOpen(session, path, options, unary);
    if (call instanceof ClientCall) return call;
    throw call;
  }

  /** A started call, or the error that kept it from starting (returned, not thrown: no try/catch on the hot path's caller). */
  private tryOpen(session: ClientHttp2Session, path: string, options: TransportCallOptions, unary: boolean): ClientCall | TuskError {
    const { deadline } = options;
    const headers: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': USER_AGENT,
      'grpc-accept-encoding': ACCEPTED_ENCODINGS,
    };
    if (this.sendEncoding !== 'identity') headers['grpc-encoding'] = this.sendEncoding;
    if (deadline !== undefined) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return markDownstream(new TuskError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'), this.address);
      headers['grpc-timeout'] = encodeGrpcTimeout(remaining);
    }
    if (options.signal?.aborted) return new TuskError(Code.CANCELLED, 'Cancelled on client');
    neverIndexPerCallValues(addMetadataHeaders(headers, options.metadata));
    try {
      const stream = session.request(headers, { endStream: false });
      this.connection.begin(session as TrackedSession);
      return new ClientCall(stream, session as TrackedSession, this.address, this.maxReceiveBytes, options, unary, this.callEnded);
    } catch (error) {
      // The session started closing (GOAWAY) since it was picked: no stream was opened.
      return markDownstream(new NotSentError(Code.UNAVAILABLE, `could not start a stream to ${this.address}: ${(error as Error).message}`), this.address);
    }
  }

  /** Writes every request with backpressure, then half-closes; stops quietly when the call ended first. */
  private async pump(call: ClientCall, requests: AsyncIterable<Uint8Array>): Promise<void> {
    const { stream } = call;
    for await (const request of requests) {
      if (stream.closed || stream.destroyed) return;
      const tooLarge = this.checkSendSize(request);
      if (tooLarge !== undefined) return call.cancel(tooLarge);
      if (!stream.write(await this.frame(request))) await writable(stream);
    }
    if (!stream.closed && !stream.destroyed) stream.end();
  }

  private frame(request: Uint8Array): Buffer | Promise<Buffer> {
    if (this.sendEncoding === 'identity') return encodeFrame(request, false);
    return compress(this.sendEncoding, request).then((packed) => encodeFrame(packed, true));
  }

  private checkSendSize(request: Uint8Array): TuskError | undefined {
    if (request.length <= this.maxSendBytes) return undefined;
    return new TuskError(Code.RESOURCE_EXHAUSTED, `Sent message larger than max (${request.length} vs. ${this.maxSendBytes})`);
  }
}

async function* readAll(call: ClientCall): AsyncGenerator<Uint8Array> {
  try {
    for (let message = await call.read(); message !== undefined; message = await call.read()) yield message;
  } finally {
    // No-op when the call is over; stops the server when the consumer stopped early.
    call.cancel(new TuskError(Code.CANCELLED, 'Cancelled on client'));
  }
}

function writable(stream: ClientCall['stream']): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}


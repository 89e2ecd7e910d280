// One gRPC call on one HTTP/2 stream: the bottom of grpc-js' server
// interceptor stack (the ServerInterceptingCallInterface grpc-js' own
// BaseServerInterceptingCall implements), so the interceptor chain and the
// grpc-js call objects the handlers see run unchanged on top of it.
//
// Hot path: the stream's listeners are shared functions that find their call
// on the stream (no closures per call); messages whole inside a DATA chunk are
// read without a copy; a write waits for 'drain' only when the stream says so.
import { constants as http2Constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { TLSSocket } from 'node:tls';
import { Metadata, type ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { InterceptingServerListener } from '@grpc/grpc-js/build/src/server-interceptors.js';
import { PerRequestMetricRecorder } from '@grpc/grpc-js/build/src/orca.js';
import { Code } from '../../status/codes.js';
import { ACCEPTED_ENCODINGS, compress, decompress, parseEncoding, responseEncoding, type MessageEncoding } from '../../wire/compression.js';
import { encodeFrame, FrameDecoder, type FrameFault, type FrameSink } from '../../wire/frame-decoder.js';
import { parseGrpcTimeout } from '../../wire/grpc-timeout.js';
import { deadlineDelay } from '../../wire/deadline-timer.js';
import type { RegisteredMethod } from './registered-method.js';
import { RequestMetadata } from './request-metadata.js';
import { statusHeaders, statusTrailers } from '../../wire/status-trailers.js';
import { neverIndexPerCallValues } from '../../wire/never-indexed.js';
import { streamClosed } from './connection-lifetime.js';
import { sessionPeer } from './peer.js';

/** grpc-js' PartialStatusObject, with our Code for its code. */
type PartialStatus = { readonly code: number; readonly details?: string; readonly metadata?: Metadata | null };

export interface WireLimits {
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
}

const CALL = Symbol('tusk.wireCall');
type CallStream = ServerHttp2Stream & { [CALL]: WireCall };

const NO_AUTH_CONTEXT = Object.freeze({});
const METRICS_RECORDER = new PerRequestMetricRecorder();
// No `date` header: gRPC's response headers have none (nor do grpc-go's or C-core's), and it cost every call a header.
const RESPONSE_OPTIONS = { waitForTrailers: true, sendDate: false };
export const TRAILERS_ONLY_OPTIONS = { endStream: true, sendDate: false };
const { NGHTTP2_NO_ERROR } = http2Constants;

/** A message that arrived compressed: inflated when the reader asks for it. */
class CompressedMessage {
  constructor(readonly payload: Buffer) {}
}

export class WireCall implements ServerInterceptingCallInterface, FrameSink {
  /** This and the two below are let go at finish(): see there. */
  private metadata: Metadata | undefined;
  private headers: IncomingHttpHeaders | undefined;
  private decoder: FrameDecoder | undefined;
  private readonly deadline: number = Infinity;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private listener: InterceptingServerListener | undefined;
  private readonly requestEncoding: MessageEncoding | undefined;
  private readonly encodingHeader: string | undefined;
  private readonly sendEncoding: MessageEncoding;
  private readonly inbound: (Buffer | CompressedMessage)[] = [];
  private readPending = false;
  /** Messages that may wait unread before the stream pauses: 0 for streaming requests, 1 for a single request. */
  private readonly queueLimit: number;
  private inflating = false;
  /** Set while this call holds the stream paused: a single request never is, and a resume costs node a tick. */
  private paused = false;
  private receivedEnd = false;
  private headersSent = false;
  private pendingStatus: PartialStatus | undefined;
  private pendingDrain: (() => void) | undefined;
  /** Set once the status was handed over or the stream closed: nothing more is sent. */
  private ended = false;
  /** The status this call sent, whoever asked: the chain above, or the transport itself (a bad frame, the deadline). */
  sentStatus: PartialStatus | undefined;
  /** Set once onCancel is due: the status was flushed, the stream closed, or the deadline passed. */
  private finished = false;
  /** A fault found before start(): sent once the chain is listening. */
  private startFault: PartialStatus | undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    private readonly method: RegisteredMethod,
    private readonly limits: WireLimits,
  ) {
    (stream as CallStream)[CALL] = this;
    this.headers = headers;
    this.decoder = new FrameDecoder(limits.maxReceiveMessageBytes);
    const timeout = headers['grpc-timeout'];
    if (typeof timeout === 'string') {
      const ms = parseGrpcTimeout(timeout);
      if (ms === undefined) {
        this.startFault = { code: Code.INTERNAL, details: `Invalid grpc-timeout value "${timeout}"` };
      } else {
        this.deadline = Date.now() + ms;
        this.armDeadline();
      }
    }
    const encoding = headers['grpc-encoding'];
    this.encodingHeader = typeof encoding === 'string' ? encoding : undefined;
    this.requestEncoding = parseEncoding(this.encodingHeader);
    const accept = headers['grpc-accept-encoding'];
    this.sendEncoding = responseEncoding(this.requestEncoding ?? 'identity', typeof accept === 'string' ? accept : undefined);
    this.metadata = new RequestMetadata(headers);
    stream.on('data', onStreamData);
    // A streaming request is read as the handler asks; a single one (unary, server streaming) flows in at once,
    // since pausing and resuming a stream costs ticks per call and its one message is bounded by the size limit.
    this.queueLimit = method.type === 'unary' || method.type === 'serverStream' ? 1 : 0;
    if (this.queueLimit === 0) this.pause();
    stream.on('end', onStreamEnd);
    stream.on('close', onStreamClose);
    stream.on('error', ignoreStreamError);
    stream.on('wantTrailers', onWantTrailers);
  }

  start(listener: InterceptingServerListener): void {
    if (this.ended) return;
    this.listener = listener;
    if (this.startFault) return this.sendStatus(this.startFault);
    listener.onReceiveMetadata(this.metadata!);
  }

  startRead(): void {
    if (this.ended) return;
    this.readPending = true;
    this.pump();
  }

  sendMetadata(metadata: Metadata | undefined): void {
    if (this.ended || this.headersSent) return;
    this.headersSent = true;
    const headers: OutgoingHttpHeaders = metadata ? metadata.toHttp2Headers() : {};
    headers[':status'] = 200;
    headers['content-type'] = 'application/grpc';
    headers['grpc-accept-encoding'] = ACCEPTED_ENCODINGS;
    if (this.sendEncoding !== 'identity') headers['grpc-encoding'] = this.sendEncoding;
    this.stream.respond(neverIndexPerCallValues(headers), RESPONSE_OPTIONS);
  }

  sendMessage(message: unknown, callback: () => void): void {
    if (this.ended) return;
    let payload: Buffer;
    try {
      payload = this.method.serialize(message);
    } catch {
      return this.sendStatus({ code: Code.INTERNAL, details: 'Error serializing response' });
    }
    if (payload.length > this.limits.maxSendMessageBytes) {
      return this.sendStatus({ code: Code.RESOURCE_EXHAUSTED, details: `Sent message larger than max (${payload.length} vs. ${this.limits.maxSendMessageBytes})` });
    }
    this.sendMetadata(undefined);
    if (this.sendEncoding === 'identity') return this.write(encodeFrame(payload, false), callback);
    compress(this.sendEncoding, payload).then(
      (compressed) => this.write(encodeFrame(compressed, true), callback),
      () => this.sendStatus({ code: Code.INTERNAL, details: 'Error compressing response' }),
    );
  }

  sendStatus(status: PartialStatus): void {
    if (this.ended) return;
    this.sentStatus = status;
    if (this.headersSent) {
      // The trailers go out once the queued messages have (the stream's 'wantTrailers'); the call ends there, as on
      // grpc-js, so the time to flush the answer counts in the call's latency (admission's samples).
      this.pendingStatus = status;
      this.ended = true;
      this.stream.end();
      return;
    }
    // Trailers-only: one HEADERS frame with END_STREAM.
    this.stream.respond(statusHeaders({ ':status': 200, 'content-type': 'application/grpc' }, status.code, status.details, status.metadata), TRAILERS_ONLY_OPTIONS);
    this.finish();
    this.stopCaller();
  }

  getPeer(): string {
    return sessionPeer(this.stream.session);
  }

  armDeadline(): void {
    this.deadlineTimer = setTimeout(deadlineExpired, deadlineDelay(this.deadline), this);
  }

  getDeadline(): number {
    return this.deadline;
  }

  getHost(): string {
    return this.headers?.[':authority'] ?? this.headers?.host ?? '';
  }

  /** As grpc-js reports it: the verified client certificate on a TLS connection, else nothing. */
  getAuthContext() {
    const socket = this.stream.session?.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return NO_AUTH_CONTEXT;
    const peerCertificate = socket.getPeerCertificate();
    return { transportSecurityType: 'ssl', sslPeerCertificate: peerCertificate.raw ? peerCertificate : undefined };
  }

  getConnectionInfo() {
    const socket = this.stream.session?.socket;
    return { localAddress: socket?.localAddress, localPort: socket?.localPort, remoteAddress: socket?.remoteAddress, remotePort: socket?.remotePort };
  }

  getMetricsRecorder(): PerRequestMetricRecorder {
    return METRICS_RECORDER;
  }

  // ---- inbound messages
  /** FrameSink: one decoded message, queued until the reader asks. */
  frame(compressed: boolean, payload: Buffer): void {
    if (this.ended) return;
    if (!compressed) {
      this.inbound.push(payload);
      return;
    }
    if (this.requestEncoding === undefined) {
      return this.sendStatus({ code: Code.UNIMPLEMENTED, details: `Received message compressed with unsupported encoding "${this.encodingHeader}"` });
    }
    if (this.requestEncoding === 'identity') {
      return this.sendStatus({ code: Code.INTERNAL, details: 'Received a compressed message without a grpc-encoding' });
    }
    this.inbound.push(new CompressedMessage(payload));
  }

  data(chunk: Buffer): void {
    if (this.ended) return;
    const fault = this.decoder!.write(chunk, this);
    if (fault) return this.fail(fault);
    // Read no further until the handler has taken what is queued: the flow-control window closes behind it.
    if (this.inbound.length > this.queueLimit) this.pause();
    this.pump();
  }

  endOfRequests(): void {
    if (this.ended) return;
    if (this.decoder!.midMessage) return this.fail({ code: Code.INTERNAL, details: 'Request stream ended inside a message' });
    this.receivedEnd = true;
    this.pump();
  }

  private pump(): void {
    if (!this.readPending || this.inflating || this.ended) return;
    const next = this.inbound.shift();
    if (next === undefined) {
      if (this.receivedEnd) {
        this.readPending = false;
        this.listener!.onReceiveHalfClose();
      } else if (this.paused) {
        this.paused = false;
        this.stream.resume();
      }
      return;
    }
    if (next instanceof CompressedMessage) {
      this.inflating = true;
      decompress(this.requestEncoding as 'gzip' | 'deflate', next.payload, this.limits.maxReceiveMessageBytes).then((inflated) => this.inflated(inflated));
      return;
    }
    this.deliver(next);
  }

  private inflated(result: Buffer | FrameFault): void {
    this.inflating = false;
    if (this.ended) return;
    if (Buffer.isBuffer(result)) this.deliver(result);
    else this.fail(result);
  }

  private deliver(bytes: Buffer): void {
    let message: unknown;
    try {
      message = this.method.deserialize(bytes);
    } catch {
      return this.sendStatus({ code: Code.INTERNAL, details: 'Error deserializing request' });
    }
    this.readPending = false;
    this.listener!.onReceiveMessage(message);
  }

  private pause(): void {
    this.paused = true;
    this.stream.pause();
  }

  // ---- outbound and the end
  private write(frame: Buffer, callback: () => void): void {
    if (this.ended) return;
    if (this.stream.write(frame)) return callback();
    // The peer's window or the socket is full: the next message waits for 'drain' (backpressure).
    this.pendingDrain = callback;
    this.stream.once('drain', onStreamDrain);
  }

  drained(): void {
    const callback = this.pendingDrain;
    this.pendingDrain = undefined;
    if (!this.ended) callback?.();
  }

  trailers(): void {
    const status = this.pendingStatus;
    if (status === undefined) return;
    this.stream.sendTrailers(statusTrailers(status.code, status.details, status.metadata));
    this.finish();
    this.stopCaller();
  }

  /**
   * The status is out while the caller still sends: RST_STREAM(NO_ERROR) after
   * it (as gRPC over HTTP/2 asks) tells the caller to stop, rather than reading
   * and dropping the rest.
   */
  private stopCaller(): void {
    // Next turn: a RST_STREAM submitted in the same turn as the trailers can overtake them in nghttp2's queue.
    if (!this.receivedEnd && !this.stream.readableEnded) setImmediate(resetStream, this.stream);
  }

  private fail(fault: FrameFault): void {
    this.sendStatus({ code: fault.code, details: fault.details });
  }

  expire(): void {
    this.deadlineTimer = undefined;
    // An answer still waiting to be flushed at the deadline: the call ends now (as grpc-js' does).
    if (this.ended) return this.finish();
    this.sendStatus({ code: Code.DEADLINE_EXCEEDED, details: 'Deadline exceeded' });
  }

  /** The status went out or the stream closed: onCancel once, as grpc-js gives every call at its end. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ended = true;
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    // Until the stream closes, whatever the caller still sends is read and dropped, so its window never stalls the connection.
    if (!this.stream.readableEnded) this.stream.resume();
    // The stream (and with it this call) lives on until the peer has read the end; the request, the chain and the
    // handler's objects need not: dropped here, they die young instead of being copied by every scavenge meanwhile.
    this.headers = this.metadata = this.decoder = undefined;
    const listener = this.listener;
    if (listener === undefined) return;
    this.listener = undefined;
    process.nextTick(notifyCancel, listener);
  }
}

function onStreamData(this: CallStream, chunk: Buffer): void {
  this[CALL].data(chunk);
}
function onStreamEnd(this: CallStream): void {
  this[CALL].endOfRequests();
}
function onStreamClose(this: CallStream): void {
  streamClosed(this);
  this[CALL].finish();
}
function onStreamDrain(this: CallStream): void {
  this[CALL].drained();
}
function onWantTrailers(this: CallStream): void {
  this[CALL].trailers();
}
export function ignoreStreamError(): void {
  // Every stream error is followed by 'close', where the call ends (onCancel).
}
function deadlineExpired(call: WireCall): void {
  if (call.getDeadline() > Date.now()) call.armDeadline();
  else call.expire();
}
function resetStream(stream: ServerHttp2Stream): void {
  if (!stream.closed && !stream.readableEnded) stream.close(NGHTTP2_NO_ERROR);
}
function notifyCancel(listener: InterceptingServerListener): void {
  listener.onCancel();
}

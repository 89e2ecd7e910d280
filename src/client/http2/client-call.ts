// One client call on one HTTP/2 stream: request frames out, response frames
// in, and the status it ends with as a TuskError (or none: OK).
//
// Hot path: the stream's listeners are shared functions that find their call
// on the stream, the abort signal's listener is the call itself
// (handleEvent), and a unary call settles one Promise.
import http2, { type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { RefusedStreamError } from '../../resilience/failure.js';
import { Code } from '../../status/codes.js';
import { markDownstream } from '../../status/downstream.js';
import { STATUS_DETAILS_TRAILER } from '../../status/status-details.js';
import { TuskError } from '../../status/tusk-error.js';
import { FrameDecoder, deadlineDelay, decompress, parseEncoding, percentDecodeMessage, metadataRecord, binaryHeader, type FrameFault, type FrameSink, type MessageEncoding } from '../../wire/index.js';
import { PUSHBACK_TRAILER, RELAYED_TRAILER, receivedError } from '../received-error.js';
import type { TransportCallOptions } from '../transport.js';
import { httpStatusCode, resetStreamStatus } from './http-status.js';
import { GOAWAY_LAST_STREAM, type TrackedSession } from './connection.js';

const CALL = Symbol('tusk.clientCall');
type CallStream = ClientHttp2Stream & { [CALL]: ClientCall };

/** Messages buffered for a slow reader before the stream is paused (its flow-control window then closes). */
const HIGH_WATER_MESSAGES = 16;
const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;

type Outcome = { readonly error: TuskError | undefined };

export class ClientCall implements FrameSink {
  private readonly decoder: FrameDecoder;
  private encoding: MessageEncoding | undefined = 'identity';
  private readonly messages: Buffer[] = [];
  private headersSeen = false;
  private status: TuskError | null | undefined;
  private outcome: Outcome | undefined;
  private paused = false;
  /** Decompressions in order: a compressed message is queued when its inflation finishes. */
  private inflating: Promise<void> | undefined;
  private reader: { resolve(message: Buffer | undefined): void; reject(error: unknown): void } | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private sessionGone = false;

  constructor(
    readonly stream: ClientHttp2Stream,
    private readonly session: TrackedSession,
    private readonly address: string,
    maxReceiveBytes: number,
    private readonly options: TransportCallOptions,
    private readonly unary: boolean,
    private readonly ended: (session: TrackedSession) => void,
  ) {
    (stream as CallStream)[CALL] = this;
    this.decoder = new FrameDecoder(maxReceiveBytes);
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('trailers', onTrailers);
    stream.on('error', onError);
    stream.on('close', onClose);
    if (options.deadline !== undefined) this.armDeadline(options.deadline);
    options.signal?.addEventListener('abort', this, { once: true });
  }

  armDeadline(deadline: number): void {
    this.deadlineTimer = setTimeout(deadlineExpired, deadlineDelay(deadline), this);
  }

  get deadline(): number | undefined {
    return this.options.deadline;
  }

  /** The abort signal's listener. */
  handleEvent(): void {
    this.cancel(new TuskError(Code.CANCELLED, 'Cancelled on client'));
  }

  /** Ends the call here: RST_STREAM(CANCEL) tells the server to stop. */
  cancel(error: TuskError): void {
    if (this.outcome !== undefined) return;
    this.finish(error);
    if (!this.stream.closed) this.stream.close(NGHTTP2_CANCEL);
  }

  /** The next response message; undefined once the call ended OK; rejects with its error. */
  read(): Promise<Buffer | undefined> {
    // A unary call's one message counts only once its status says OK.
    const message = this.unary && this.outcome === undefined ? undefined : this.messages.shift();
    if (message !== undefined) {
      if (this.paused && this.messages.length < HIGH_WATER_MESSAGES / 2) {
        this.paused = false;
        this.stream.resume();
      }
      return Promise.resolve(message);
    }
    if (this.outcome !== undefined) return this.outcome.error === undefined ? Promise.resolve(undefined) : Promise.reject(this.outcome.error);
    return new Promise((resolve, reject) => (this.reader = { resolve, reject }));
  }

  frame(compressed: boolean, payload: Buffer): void {
    if (!compressed && this.inflating === undefined) return this.deliver(payload);
    const encoding = this.encoding;
    if (!compressed) {
      this.inflating = this.inflating!.then(() => this.deliver(payload));
      return;
    }
    if (encoding === 'identity' || encoding === undefined) {
      return this.fault({ code: Code.INTERNAL, details: 'Received a compressed message but no grpc-encoding was sent' });
    }
    const inflated = decompress(encoding, payload, this.decoder.maxMessageBytes);
    this.inflating = (this.inflating ?? Promise.resolve()).then(() => inflated).then((result) => {
      if (Buffer.isBuffer(result)) this.deliver(result);
      else this.fault(result);
    });
  }

  onResponse(headers: IncomingHttpHeaders, flags: number): void {
    this.headersSeen = true;
    // Trailers-only: the status is in the one header block, and the call has no response headers.
    if (typeof headers['grpc-status'] === 'string' || (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0) return this.onTrailers(headers);
    const httpStatus = Number(headers[':status']); // a number at run time, typed as a string
    if (httpStatus !== 200) return this.fault({ code: httpStatusCode(httpStatus), details: `Received HTTP status code ${httpStatus}` });
    const encodingHeader = headers['grpc-encoding'];
    this.encoding = parseEncoding(typeof encodingHeader === 'string' ? encodingHeader : undefined);
    if (this.encoding === undefined) return this.fault({ code: Code.INTERNAL, details: `Unsupported response encoding "${encodingHeader}"` });
    this.options.onHeader?.(metadataRecord(headers));
  }

  onTrailers(trailers: IncomingHttpHeaders): void {
    if (this.status !== undefined) return;
    const rawCode = trailers['grpc-status'];
    const code = typeof rawCode === 'string' ? Number(rawCode) : NaN;
    if (this.options.onTrailer !== undefined) this.options.onTrailer(metadataRecord(trailers));
    if (code === Code.OK) {
      this.status = null;
      return;
    }
    const message = trailers['grpc-message'];
    if (!Number.isInteger(code)) {
      const httpStatus = Number(trailers[':status'] ?? 200);
      this.status = markDownstream(new TuskError(httpStatus !== 200 ? httpStatusCode(httpStatus) : Code.UNKNOWN, 'Received a status without grpc-status'), this.address);
      return;
    }
    const pushback = trailers[PUSHBACK_TRAILER];
    this.status = receivedError({
      code,
      message: typeof message === 'string' ? percentDecodeMessage(message) : '',
      detailsBytes: binaryHeader(trailers, STATUS_DETAILS_TRAILER),
      pushback: typeof pushback === 'string' ? pushback : undefined,
      relayed: trailers[RELAYED_TRAILER] !== undefined,
    }, this.address);
  }

  onData(chunk: Buffer): void {
    if (this.outcome !== undefined) return;
    const fault = this.decoder.write(chunk, this);
    if (fault !== undefined) this.fault(fault);
  }

  onClose(): void {
    clearTimeout(this.deadlineTimer);
    this.options.signal?.removeEventListener('abort', this);
    this.ended(this.session);
    if (this.outcome !== undefined) return;
    const status = this.closeStatus();
    if (this.inflating === undefined) this.finish(status ?? undefined);
    else void this.inflating.then(() => this.finish(status ?? undefined));
  }

  onError(error: NodeJS.ErrnoException): void {
    // A session-level failure (socket reset, destroyed session) rather than one stream's RST_STREAM.
    if (error.code !== 'ERR_HTTP2_STREAM_ERROR') this.sessionGone = true;
  }

  private closeStatus(): TuskError | null {
    if (this.status !== undefined) return this.status;
    const { stream } = this;
    const goawayLast = this.session[GOAWAY_LAST_STREAM];
    const aboveGoaway = goawayLast !== undefined && stream.id !== undefined && stream.id > goawayLast;
    if (!this.headersSeen && (stream.rstCode === NGHTTP2_REFUSED_STREAM || aboveGoaway)) {
      return markDownstream(new RefusedStreamError(Code.UNAVAILABLE, 'the server refused the stream before processing it (REFUSED_STREAM or GOAWAY)'), this.address);
    }
    if (this.sessionGone || this.session.destroyed || stream.rstCode === 0 || stream.rstCode === undefined) {
      return markDownstream(new TuskError(Code.UNAVAILABLE, `connection to ${this.address} dropped before the call ended`), this.address);
    }
    return markDownstream(resetStreamStatus(stream.rstCode), this.address);
  }

  private deliver(message: Buffer): void {
    if (this.outcome !== undefined) return;
    if (this.unary && this.messages.length > 0) return this.fault({ code: Code.UNIMPLEMENTED, details: 'Received a second response message on a unary call' });
    const reader = this.reader;
    if (reader !== undefined && !this.unary) {
      this.reader = undefined;
      return reader.resolve(message);
    }
    this.messages.push(message);
    if (!this.unary && !this.paused && this.messages.length >= HIGH_WATER_MESSAGES) {
      this.paused = true;
      this.stream.pause();
    }
  }

  private fault(fault: FrameFault): void {
    this.cancel(markDownstream(new TuskError(fault.code, fault.details), this.address));
  }

  /** The call's end: once. A unary call's reader gets its one message here. */
  private finish(error: TuskError | undefined): void {
    if (this.outcome !== undefined) return;
    if (error === undefined && this.unary && this.messages.length === 0) {
      error = markDownstream(new TuskError(Code.UNIMPLEMENTED, 'No message received'), this.address);
    }
    this.outcome = { error };
    clearTimeout(this.deadlineTimer);
    if (error !== undefined) this.messages.length = 0;
    this.options.onEnd?.(error);
    const reader = this.reader;
    if (reader === undefined) return;
    this.reader = undefined;
    if (error !== undefined) reader.reject(error);
    else reader.resolve(this.messages.shift());
  }
}

function callOf(stream: ClientHttp2Stream): ClientCall {
  return (stream as CallStream)[CALL];
}
function onResponse(this: ClientHttp2Stream, headers: IncomingHttpHeaders, flags: number): void {
  callOf(this).onResponse(headers, flags);
}
function onData(this: ClientHttp2Stream, chunk: Buffer): void {
  callOf(this).onData(chunk);
}
function onTrailers(this: ClientHttp2Stream, trailers: IncomingHttpHeaders): void {
  callOf(this).onTrailers(trailers);
}
function onError(this: ClientHttp2Stream, error: NodeJS.ErrnoException): void {
  callOf(this).onError(error);
}
function onClose(this: ClientHttp2Stream): void {
  callOf(this).onClose();
}
function deadlineExpired(call: ClientCall): void {
  const deadline = call.deadline;
  if (deadline !== undefined && deadline > Date.now()) return call.armDeadline(deadline);
  call.cancel(new TuskError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'));
}

import { newRequestId } from '../telemetry/request-id.js';
import { EventEmitter } from 'node:events';
import type { Metadata } from '@grpc/grpc-js';
import { toGrpcMetadata } from '../client/grpc-stream.js';
import type { TransportCallOptions } from '../client/transport.js';
import type { CancellableCall } from '../server/active-calls.js';
import { REQUEST_ID_HEADER, firstText, metadataToRecord, type ServerCallContext } from '../server/create-call-context.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { timerAt } from '../resilience/deadline-timer.js';

/**
 * One in-memory call, shaped like the grpc-js server call the server's
 * context is read from (metadata, peer, deadline, a 'cancelled' event), so
 * handlers get the same ServerCallContext as over a socket. It ends when its
 * deadline passes or the caller's signal aborts: then `ended` rejects with
 * what the caller sees, and the handler's ctx.signal aborts.
 */
export class InMemoryCall extends EventEmitter implements CancellableCall {
  readonly metadata: Metadata;
  cancelled = false;
  /** What the caller sees since the call ended under the handler. */
  endedWith: unknown;
  /** Rejects with the caller's error once the call ended under the handler; never resolves. */
  readonly ended: Promise<never>;
  private rejectEnded!: (error: unknown) => void;
  private readonly cancelTimer: (() => void) | undefined;
  private readonly stopListening: (() => void) | undefined;
  private finished = false;
  private headerSent = false;

  constructor(
    private readonly options: TransportCallOptions,
    readonly peer: string,
  ) {
    super();
    this.metadata = toGrpcMetadata(options.metadata);
    // As the server's request-id stage does: the handler's ctx.metadata carries the id it logs.
    if (firstText(this.metadata, REQUEST_ID_HEADER) === undefined) this.metadata.set(REQUEST_ID_HEADER, newRequestId());
    this.ended = new Promise<never>((_, reject) => (this.rejectEnded = reject));
    this.ended.catch(() => undefined); // observed through race(); nobody may be racing when it ends
    const { deadline, signal } = options;
    if (deadline !== undefined) this.cancelTimer = timerAt(deadline, () => this.cancel(new TuskError(Code.DEADLINE_EXCEEDED, 'deadline exceeded')));
    if (signal !== undefined) {
      const onAbort = () => this.cancel(new TuskError(Code.CANCELLED, 'cancelled on client'));
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
      this.stopListening = () => signal.removeEventListener('abort', onAbort);
    }
  }

  getPeer(): string {
    return this.peer;
  }

  getDeadline(): number {
    return this.options.deadline ?? Number.POSITIVE_INFINITY;
  }

  /** Settles like `promise`, or rejects with the caller's error as soon as the call ends. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.ended]);
  }

  /** The call ends under the handler; the caller sees `callerError`. */
  cancel(callerError: unknown): void {
    if (this.finished || this.cancelled) return;
    this.cancelled = true;
    this.endedWith = callerError;
    this.rejectEnded(callerError);
    this.emit('cancelled');
    // A response stream is pulled by its consumer: one that stopped pulling learns of the end only here.
    this.options.onEnd?.(callerError instanceof TuskError ? callerError : new TuskError(Code.CANCELLED, 'cancelled'));
  }

  /** The first response (or the status) is ready: the caller's header callback hears the handler's headers. */
  sendHeader(ctx: ServerCallContext): void {
    if (this.headerSent) return;
    this.headerSent = true;
    let header: Readonly<Record<string, string>> = {};
    ctx.sendHeader({ sendMetadata: (metadata) => (header = metadataToRecord(metadata)) });
    this.options.onHeader?.(header);
  }

  /** The call is over for the caller: stop the timer and the listener; tell the transport's header/trailer callbacks. */
  finish(trailer: Readonly<Record<string, string>>): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelTimer?.();
    this.stopListening?.();
    this.options.onTrailer?.(trailer);
  }
}

// What a tusk unary handler's adapter (handle-unary.ts) reads of its call, on
// the lean transport: the request, its metadata, peer and deadline, the
// response headers' way out and the end of the call. grpc-js' own
// ServerUnaryCallImpl is a full EventEmitter per call; this one holds the one
// 'cancelled' listener the abort switch adds, when a handler reads ctx.signal.
// Handlers written for grpc-js (health) still get grpc-js' object.
import type { Metadata, ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { CancellableCall } from '../active-calls.js';

export class UnarySurface implements CancellableCall {
  cancelled = false;
  private onCancelled: (() => void) | undefined;

  constructor(
    private readonly call: ServerInterceptingCallInterface,
    readonly metadata: Metadata,
    readonly request: unknown,
  ) {}

  getPeer(): string {
    return this.call.getPeer();
  }

  getDeadline(): number | Date {
    return this.call.getDeadline();
  }

  sendMetadata(metadata: Metadata): void {
    this.call.sendMetadata(metadata);
  }

  once(_event: 'cancelled', listener: () => void): this {
    this.onCancelled = listener;
    return this;
  }

  removeListener(_event: 'cancelled', listener: () => void): this {
    if (this.onCancelled === listener) this.onCancelled = undefined;
    return this;
  }

  /** The call ended (finished, cancelled, or past its deadline). */
  cancel(): void {
    this.cancelled = true;
    const listener = this.onCancelled;
    this.onCancelled = undefined;
    listener?.();
  }
}

import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { deadlinePassed, type ServerSurfaceCall } from './create-call-context.js';

/**
 * A server call of any kind as the abort switch sees it: it sets `cancelled`
 * and emits 'cancelled' when it ends. grpc-js' call objects are such, and so
 * is the lean transport's unary surface (transport/unary-surface.ts).
 */
export type CancellableCall = ServerSurfaceCall & {
  readonly cancelled: boolean;
  once(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
};

/**
 * The abort switches of the handlers currently running. grpc-js tells a call
 * it ended through its 'cancelled' event (client cancel, deadline, and also
 * after a normal finish); the server's forced shutdown aborts the rest.
 */
export class ActiveCalls {
  private readonly controllers = new Set<AbortController>();
  private forcedReason: TuskError | undefined;

  /** Handlers that asked for their signal and still run. */
  get size(): number {
    return this.controllers.size;
  }

  open(call: CancellableCall): CallAbort {
    return new CallAbort(this, call);
  }

  abortAll(reason: TuskError): void {
    this.forcedReason = reason;
    for (const controller of this.controllers) controller.abort(reason);
  }

  /** @internal CallAbort's side: whether a call is over already, when no listener was there to see it. */
  isOver(call: CancellableCall): boolean {
    return call.cancelled || this.forcedReason !== undefined;
  }

  /** @internal Why it is over. */
  pendingReason(call: CancellableCall): TuskError | undefined {
    return call.cancelled ? cancelReason(call) : this.forcedReason;
  }

  /** @internal */
  track(controller: AbortController): void {
    this.controllers.add(controller);
  }

  /** @internal */
  untrack(controller: AbortController): void {
    this.controllers.delete(controller);
  }
}

/**
 * One running handler's abort switch. Most unary handlers never read
 * ctx.signal, and an AbortController with a 'cancelled' listener is a
 * measurable part of a call's cost, so both are made on the first read of
 * `signal`; a call that ended before that read gets a signal born aborted,
 * with the same reason. `aborted` and `reason` answer without making one.
 */
export class CallAbort {
  private controller: AbortController | undefined;
  private stopListening: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly calls: ActiveCalls,
    private readonly call: CancellableCall,
  ) {}

  get aborted(): boolean {
    return this.controller ? this.controller.signal.aborted : !this.closed && this.calls.isOver(this.call);
  }

  get reason(): unknown {
    if (this.controller) return this.controller.signal.reason;
    return this.closed ? undefined : this.calls.pendingReason(this.call);
  }

  get signal(): AbortSignal {
    this.controller ??= this.createController();
    return this.controller.signal;
  }

  /** The handler is done with the call: stop listening. A signal asked for later never aborts. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening?.();
  }

  private createController(): AbortController {
    const controller = new AbortController();
    if (this.closed) return controller;
    const already = this.calls.pendingReason(this.call);
    if (already) {
      controller.abort(already);
      return controller;
    }
    const { call, calls } = this;
    const onCancelled = () => controller.abort(cancelReason(call));
    call.once('cancelled', onCancelled);
    calls.track(controller);
    this.stopListening = () => {
      call.removeListener('cancelled', onCancelled);
      calls.untrack(controller);
    };
    return controller;
  }
}

function cancelReason(call: ServerSurfaceCall): TuskError {
  if (deadlinePassed(call.getDeadline())) {
    return new TuskError(Code.DEADLINE_EXCEEDED, 'deadline exceeded');
  }
  return new TuskError(Code.CANCELLED, 'call cancelled by the client');
}

import type { EventEmitter } from 'node:events';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { deadlinePassed, type ServerSurfaceCall } from './create-call-context.js';

export interface OpenCall {
  readonly signal: AbortSignal;
  /** The handler is done with the call: stop tracking it. */
  close(): void;
}

/**
 * The abort switches of every handler currently running. grpc-js tells a
 * call it ended through its 'cancelled' event (client cancel, deadline, and
 * also after a normal finish); the server's forced shutdown aborts the rest.
 */
export class ActiveCalls {
  private readonly controllers = new Set<AbortController>();

  get size(): number {
    return this.controllers.size;
  }

  open(call: ServerSurfaceCall & EventEmitter): OpenCall {
    const controller = new AbortController();
    const onCancelled = () => controller.abort(cancelReason(call));
    call.once('cancelled', onCancelled);
    this.controllers.add(controller);
    return {
      signal: controller.signal,
      close: () => {
        call.removeListener('cancelled', onCancelled);
        this.controllers.delete(controller);
      },
    };
  }

  abortAll(reason: TuskError): void {
    for (const controller of this.controllers) controller.abort(reason);
  }
}

function cancelReason(call: ServerSurfaceCall): TuskError {
  if (deadlinePassed(call.getDeadline())) {
    return new TuskError(Code.DEADLINE_EXCEEDED, 'deadline exceeded');
  }
  return new TuskError(Code.CANCELLED, 'call cancelled by the client');
}

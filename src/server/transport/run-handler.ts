// Runs a registered grpc-js-style handler on the (intercepted) call, as
// grpc-js' Server does: the handler gets grpc-js' own call objects, so
// handlers written for grpc-js (ours, health, reflection) run unchanged.
// One dispatcher object per call is also the call's listener.
import { Metadata, status, type ServerErrorResponse, type ServerInterceptingCallInterface } from '@grpc/grpc-js';
import {
  ServerDuplexStreamImpl,
  ServerUnaryCallImpl,
  ServerWritableStreamImpl,
  serverErrorToStatus,
  type ServerStatusResponse,
} from '@grpc/grpc-js/build/src/server-call.js';
import type { RegisteredMethod } from './registered-method.js';
import { UnarySurface } from './unary-surface.js';

type Surface = UnarySurface | ServerUnaryCallImpl<unknown, unknown> | ServerWritableStreamImpl<unknown, unknown> | ServerDuplexStreamImpl<unknown, unknown>;

const THREW = { code: status.UNKNOWN, details: 'Unknown error', metadata: null };

/** The sendUnaryData callback of the kinds that answer with one message. */
abstract class Dispatch {
  protected trailer: Metadata | undefined;

  constructor(
    protected readonly call: ServerInterceptingCallInterface,
    protected readonly method: RegisteredMethod,
  ) {}

  protected readonly respond = (error: ServerErrorResponse | ServerStatusResponse | null, value?: unknown, trailer?: Metadata): void => {
    if (error) return this.call.sendStatus(serverErrorToStatus(error, trailer));
    this.trailer = trailer;
    this.call.sendMessage(value, this.sendOk);
  };

  private readonly sendOk = (): void => {
    this.call.sendStatus({ code: status.OK, details: 'OK', metadata: this.trailer ?? null });
  };
}

/** Unary and server streaming: one request message, then the handler. */
class SingleRequestDispatch extends Dispatch {
  private metadata: Metadata | undefined;
  private request: unknown;
  private received = false;
  private surface: Surface | undefined;

  onReceiveMetadata(metadata: Metadata): void {
    this.metadata = metadata;
    this.call.startRead();
  }

  onReceiveMessage(message: unknown): void {
    if (this.received) return this.refuse(`Received a second request message for ${this.method.path}`);
    this.received = true;
    this.request = message;
    this.call.startRead();
  }

  onReceiveHalfClose(): void {
    if (!this.received) return this.refuse(`Received no request message for ${this.method.path}`);
    const { method, call } = this;
    try {
      if (method.unaryAdapter !== undefined) {
        const surface = new UnarySurface(call, this.metadata!, this.request);
        this.surface = surface;
        method.unaryAdapter(surface, this.respond);
      } else if (method.type === 'unary') {
        const surface = new ServerUnaryCallImpl(method.path, call, this.metadata!, this.request);
        this.surface = surface;
        method.func(surface, this.respond);
      } else {
        const surface = new ServerWritableStreamImpl(method.path, call, this.metadata!, this.request);
        this.surface = surface;
        method.func(surface);
      }
    } catch {
      call.sendStatus(THREW);
    }
  }

  onCancel(): void {
    markCancelled(this.surface);
  }

  private refuse(details: string): void {
    this.call.sendStatus({ code: status.UNIMPLEMENTED, details, metadata: null });
  }
}

/** Client and bidi streaming: the handler starts with the metadata and reads a duplex (as grpc-js does). */
class StreamingRequestDispatch extends Dispatch {
  private surface: ServerDuplexStreamImpl<unknown, unknown> | undefined;

  onReceiveMetadata(metadata: Metadata): void {
    const { method, call } = this;
    const surface = new ServerDuplexStreamImpl(method.path, call, metadata);
    this.surface = surface;
    try {
      if (method.type === 'clientStream') method.func(surface, this.respond);
      else method.func(surface);
    } catch {
      call.sendStatus(THREW);
    }
  }

  onReceiveMessage(message: unknown): void {
    this.surface!.push(message);
  }

  onReceiveHalfClose(): void {
    this.surface!.push(null);
  }

  onCancel(): void {
    markCancelled(this.surface);
    this.surface?.destroy();
  }
}

function markCancelled(surface: Surface | undefined): void {
  if (!surface) return;
  if (surface instanceof UnarySurface) return surface.cancel();
  surface.cancelled = true;
  (surface as NodeJS.EventEmitter).emit('cancelled', 'cancelled');
}

export function runHandler(call: ServerInterceptingCallInterface, method: RegisteredMethod): void {
  const dispatch = method.type === 'unary' || method.type === 'serverStream' ? new SingleRequestDispatch(call, method) : new StreamingRequestDispatch(call, method);
  call.start(dispatch);
}

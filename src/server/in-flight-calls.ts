import { ServerInterceptingCall, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';

type EndStatus = Pick<StatusObject, 'code' | 'details'>;

/**
 * Every call the server has accepted and not yet finished, seen from the
 * outermost interceptor so it also covers health and reflection calls.
 * grpc-js calls a listener's onCancel once at the end of every call, finished
 * or not, which is where a call stops counting.
 */
export class InFlightCalls {
  private readonly calls = new Map<ServerInterceptingCall, string>();
  private readonly changeWaiters = new Set<() => void>();

  /** `isServiceCall(path)` tells hosted service calls from infrastructure ones (health, reflection). */
  constructor(private readonly isServiceCall: (path: string) => boolean) {}

  get serviceCalls(): number {
    let count = 0;
    for (const path of this.calls.values()) if (this.isServiceCall(path)) count += 1;
    return count;
  }

  get size(): number {
    return this.calls.size;
  }

  readonly interceptor: ServerInterceptor = (methodDescriptor, call) => {
    const tracked: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) => {
        this.calls.set(tracked, methodDescriptor.path);
        next({
          onCancel: () => {
            this.calls.delete(tracked);
            this.notify();
          },
        });
      },
    });
    return tracked;
  };

  /** Resolves true once no hosted-service call is in flight, false when `timeoutMs` passes first. */
  async waitForServiceCalls(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.serviceCalls > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.changeWaiters.add(done);
      });
    }
    return true;
  }

  /** Ends every call still open with `status` (health watches never end on their own). */
  endAll(status: EndStatus): void {
    for (const call of [...this.calls.keys()]) call.sendStatus({ ...status, metadata: null });
  }

  private notify(): void {
    const waiters = [...this.changeWaiters];
    this.changeWaiters.clear();
    for (const wake of waiters) wake();
  }
}

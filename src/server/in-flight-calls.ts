import type { ServerInterceptingCallInterface, StatusObject } from '@grpc/grpc-js';

type EndStatus = Pick<StatusObject, 'code' | 'details'>;

/**
 * Every call the server has accepted and not yet finished, kept by the
 * interceptor chain (server-interceptors.ts) so it also covers health and
 * reflection calls: added when a call's metadata arrives, deleted at grpc-js'
 * onCancel, which comes once at the end of every call, finished or not.
 */
export class InFlightCalls {
  private readonly calls = new Map<ServerInterceptingCallInterface, string>();
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

  add(call: ServerInterceptingCallInterface, path: string): void {
    this.calls.set(call, path);
  }

  delete(call: ServerInterceptingCallInterface): void {
    this.calls.delete(call);
    if (this.changeWaiters.size > 0) this.notify();
  }

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

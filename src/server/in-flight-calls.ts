import type { ServerInterceptingCallInterface, StatusObject } from '@grpc/grpc-js';

type EndStatus = Pick<StatusObject, 'code' | 'details'>;

/** One call's place in the list: what add() hands back and delete() takes. */
export interface InFlightEntry {
  readonly call: ServerInterceptingCallInterface;
  readonly path: string;
  /** @internal */ previous: InFlightEntry | undefined;
  /** @internal */ next: InFlightEntry | undefined;
  /** @internal */ listed: boolean;
}

/**
 * Every call the server has accepted and not yet finished, kept by the
 * interceptor chain (server-interceptors.ts) so it also covers health and
 * reflection calls: added when a call's metadata arrives, deleted at grpc-js'
 * onCancel, which comes once at the end of every call, finished or not.
 * A linked list, not a Map keyed by call: adding and deleting is every call's
 * work, the counts and endAll only stop()'s, and a Map hashed each call object.
 */
export class InFlightCalls {
  private first: InFlightEntry | undefined;
  private count = 0;
  private readonly changeWaiters = new Set<() => void>();

  /** `isServiceCall(path)` tells hosted service calls from infrastructure ones (health, reflection). */
  constructor(private readonly isServiceCall: (path: string) => boolean) {}

  get serviceCalls(): number {
    let count = 0;
    for (let entry = this.first; entry !== undefined; entry = entry.next) if (this.isServiceCall(entry.path)) count += 1;
    return count;
  }

  get size(): number {
    return this.count;
  }

  add(call: ServerInterceptingCallInterface, path: string): InFlightEntry {
    const entry: InFlightEntry = { call, path, previous: undefined, next: this.first, listed: true };
    if (this.first !== undefined) this.first.previous = entry;
    this.first = entry;
    this.count++;
    return entry;
  }

  /** Once per entry; a second delete does nothing. */
  delete(entry: InFlightEntry): void {
    if (!entry.listed) return;
    entry.listed = false;
    if (entry.previous !== undefined) entry.previous.next = entry.next;
    else this.first = entry.next;
    if (entry.next !== undefined) entry.next.previous = entry.previous;
    entry.previous = entry.next = undefined;
    this.count--;
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
    const calls: ServerInterceptingCallInterface[] = [];
    for (let entry = this.first; entry !== undefined; entry = entry.next) calls.push(entry.call);
    for (const call of calls) call.sendStatus({ ...status, metadata: null });
  }

  private notify(): void {
    const waiters = [...this.changeWaiters];
    this.changeWaiters.clear();
    for (const wake of waiters) wake();
  }
}

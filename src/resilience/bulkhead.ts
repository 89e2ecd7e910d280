import type { BulkheadPolicy } from '../config/types.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { timerAt } from './deadline-timer.js';

interface Waiter {
  grant(): void;
}

/**
 * Optional per-service cap on concurrent calls plus a waiting queue; beyond
 * both, RESOURCE_EXHAUSTED. A slot is taken with `acquire` and given back with
 * `release`, so a stream can hold its slot until it ends rather than for one
 * promise. Not cockatiel's bulkhead: that one looks at a queued call's signal
 * only when its turn comes, so a cancelled or expired waiter would stay queued
 * (and keep a queue place) until a running call finishes.
 */
export class ServiceBulkhead {
  private readonly maxConcurrent: number;
  private readonly queueLength: number;
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(config: BulkheadPolicy, private readonly service: string) {
    this.maxConcurrent = config.maxConcurrent;
    this.queueLength = config.queue;
  }

  /**
   * Takes a slot: undefined when one was free (no promise on the hot path), else a promise that
   * resolves when a slot is handed over, or rejects with RESOURCE_EXHAUSTED (queue full),
   * CANCELLED (`signal` aborted) or DEADLINE_EXCEEDED (`deadline` passed while queued).
   * Every acquired slot must be released exactly once.
   */
  acquire(signal: AbortSignal | undefined, deadline: number | undefined): Promise<void> | undefined {
    if (this.active < this.maxConcurrent) {
      this.active++;
      return undefined;
    }
    if (this.queue.length >= this.queueLength) return Promise.reject(new TuskError(Code.RESOURCE_EXHAUSTED, `bulkhead full for ${this.service}`));
    if (signal?.aborted) return Promise.reject(cancelledWhileQueued(this.service));
    return new Promise<void>((resolve, reject) => {
      const leave = (error: TuskError): void => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        cleanup();
        reject(error);
      };
      const onAbort = (): void => leave(cancelledWhileQueued(this.service));
      const cancelTimer = deadline === undefined ? undefined : timerAt(deadline, () => leave(new TuskError(Code.DEADLINE_EXCEEDED, `deadline passed while queued in the bulkhead of ${this.service}`)));
      const cleanup = (): void => {
        cancelTimer?.();
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: () => {
          cleanup();
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Gives a slot back: to the longest waiting call, else to the pool. */
  release(): void {
    const next = this.queue.shift();
    if (next !== undefined) next.grant();
    else this.active--;
  }
}

const cancelledWhileQueued = (service: string): TuskError => new TuskError(Code.CANCELLED, `call cancelled while queued in the bulkhead of ${service}`);

import { BulkheadRejectedError, bulkhead, type BulkheadPolicy as CockatielBulkhead } from 'cockatiel';
import type { BulkheadPolicy } from '../config/types.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';

/** Optional per-service cap on concurrent calls plus a waiting queue; beyond both, RESOURCE_EXHAUSTED. */
export class ServiceBulkhead {
  private readonly policy: CockatielBulkhead;

  constructor(config: BulkheadPolicy, private readonly service: string) {
    this.policy = bulkhead(config.maxConcurrent, config.queue);
  }

  async execute<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await this.policy.execute(fn, signal);
    } catch (error) {
      if (error instanceof BulkheadRejectedError) throw new TuskError(Code.RESOURCE_EXHAUSTED, `bulkhead full for ${this.service}`);
      throw error;
    }
  }
}

// Registry connections must come back after any outage, however long: retry
// with capped exponential backoff until it works or the owner gives up.
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';

export interface RetryForeverOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly signal: AbortSignal;
  readonly onFailure?: (error: unknown, attempt: number) => void;
}

/** Runs `attempt` until it resolves; rejects only once `signal` is aborted. */
export async function retryForever<T>(attempt: () => Promise<T>, options: RetryForeverOptions): Promise<T> {
  const policy = retry(handleAll, {
    maxAttempts: Number.POSITIVE_INFINITY,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs }),
  });
  let failures = 0;
  const listener = policy.onFailure(({ reason }) => {
    failures += 1;
    if (!options.signal.aborted && 'error' in reason) options.onFailure?.(reason.error, failures);
  });
  try {
    return await policy.execute(() => {
      if (options.signal.aborted) throw abortError(options.signal);
      return attempt();
    }, options.signal);
  } finally {
    listener.dispose();
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('stopped');
}

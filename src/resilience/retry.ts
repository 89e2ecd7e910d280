import { ConstantBackoff, ExponentialBackoff, decorrelatedJitterGenerator, handleWhen, retry, type RetryPolicy as CockatielRetry } from 'cockatiel';
import type { RetryPolicy } from '../config/types.js';
import { codeName } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { CircuitOpenError, NoEndpointError, wasNotSent } from './failure.js';
import type { RetryBudget } from './retry-budget.js';

export interface RetryDecisionInput {
  readonly policy: RetryPolicy;
  readonly idempotent: boolean;
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  /** Overall deadline (epoch ms) or undefined. */
  readonly deadline: number | undefined;
}

/** Why a failed attempt is or is not retried; "retry" is the only one that retries. */
export type RetryDecision = 'retry' | 'no_attempts_left' | 'circuit_open' | 'no_endpoint' | 'deadline_passed' | 'not_retryable' | 'budget_exhausted';

/**
 * Our retry rule, in one place:
 * - never after "circuit open" or "no endpoint" (fail fast), past max_attempts (attempts, first included) or past the deadline;
 * - a failure that provably happened before the request reached a server (NotSentError) is retried for any method;
 * - otherwise only idempotent methods, and only on the configured codes;
 * - and only while the retry budget has room.
 */
export function retryDecision(error: unknown, input: RetryDecisionInput, budget: RetryBudget): RetryDecision {
  if (input.attempt >= input.policy.maxAttempts) return 'no_attempts_left';
  if (error instanceof CircuitOpenError) return 'circuit_open';
  if (error instanceof NoEndpointError) return 'no_endpoint';
  if (input.deadline !== undefined && input.deadline <= Date.now()) return 'deadline_passed';
  const allowed = wasNotSent(error) || (input.idempotent && error instanceof TuskError && input.policy.on.includes(codeName(error.code)));
  if (!allowed) return 'not_retryable';
  return budget.tryRetry() ? 'retry' : 'budget_exhausted';
}

export function shouldRetry(error: unknown, input: RetryDecisionInput, budget: RetryBudget): boolean {
  return retryDecision(error, input, budget) === 'retry';
}

/**
 * A cockatiel retry policy for one method. Cockatiel counts retries, we count
 * attempts, hence `maxAttempts - 1`. Which failures are retried is decided per
 * failure by the caller (see `shouldRetry`) and handed to cockatiel by marking
 * the error, since cockatiel's filter cannot see the attempt number.
 */
export class MethodRetry {
  private readonly policy: CockatielRetry;
  private readonly marked = new WeakSet<object>();

  constructor(retryPolicy: RetryPolicy) {
    const backoff =
      retryPolicy.backoff === 'constant'
        ? new ConstantBackoff(retryPolicy.initialDelayMs)
        : new ExponentialBackoff({
            initialDelay: retryPolicy.initialDelayMs,
            maxDelay: retryPolicy.maxDelayMs,
            generator: decorrelatedJitterGenerator,
          });
    this.policy = retry(
      handleWhen((error) => typeof error === 'object' && error !== null && this.marked.has(error)),
      { maxAttempts: Math.max(0, retryPolicy.maxAttempts - 1), backoff },
    );
  }

  /**
   * Runs `attempt(n)` (n from 1) until it succeeds or a failure is not marked retryable by `retryable`.
   * The first attempt runs outside cockatiel: most calls succeed at once, and skipping three promise
   * layers matters on the hot path. Its failure, if retryable, is replayed as cockatiel's first
   * execution, so cockatiel still owns every retry decision's timing (backoff, signal, max attempts).
   */
  execute<T>(attempt: (attemptNumber: number) => Promise<T>, retryable: (error: unknown, attemptNumber: number) => boolean, signal?: AbortSignal): Promise<T> {
    return attempt(1).catch((firstError: unknown) => {
      if (!this.markIfRetryable(firstError, 1, retryable)) throw firstError;
      return this.policy.execute(async (context) => {
        if (context.attempt === 0) throw firstError;
        const attemptNumber = context.attempt + 1;
        try {
          return await attempt(attemptNumber);
        } catch (error) {
          this.markIfRetryable(error, attemptNumber, retryable);
          throw error;
        }
      }, signal);
    });
  }

  private markIfRetryable(error: unknown, attemptNumber: number, retryable: (error: unknown, attemptNumber: number) => boolean): boolean {
    if (typeof error !== 'object' || error === null || !retryable(error, attemptNumber)) return false;
    this.marked.add(error);
    return true;
  }
}

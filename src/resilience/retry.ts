import { setTimeout as sleep } from 'node:timers/promises';
import { ConstantBackoff, ExponentialBackoff, decorrelatedJitterGenerator, type IBackoff, type IBackoffFactory } from 'cockatiel';
import type { RetryPolicy } from '../config/types.js';
import { Code, codeName } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { CircuitOpenError, NoEndpointError, wasNotSent } from './failure.js';
import { pushbackOf, wasDeadlineTooShort, wasShed } from './pushback.js';
import type { RetryBudget } from './retry-budget.js';

export interface RetryDecisionInput {
  readonly policy: RetryPolicy;
  readonly idempotent: boolean;
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  /** Overall deadline (epoch ms) or undefined. */
  readonly deadline: number | undefined;
  /** The backoff before the next attempt; a retry that would start at or past the deadline is not made. */
  readonly delayMs?: number;
}

/** Why a failed attempt is or is not retried; "retry" is the only one that retries. */
export type RetryDecision =
  | 'retry' | 'no_attempts_left' | 'circuit_open' | 'no_endpoint' | 'deadline_passed' | 'not_retryable' | 'budget_exhausted'
  /** The server refused the call because its deadline could not be met: a retry would only have less time. */
  | 'deadline_too_short'
  /** The server's pushback was negative or unparseable: gRPC A6 reads that as "do not retry". */
  | 'pushback_no_retry';

/**
 * Our retry rule, in one place:
 * - never after "circuit open" or "no endpoint" (fail fast), past max_attempts (attempts, first included),
 *   or when the next attempt would start at or past the deadline;
 * - never after the server said the deadline is too short, or sent a pushback meaning "do not retry" (gRPC A6);
 * - a failure that provably happened before the request reached a server (NotSentError), or a call a
 *   tusk-grpc server shed at admission (UNAVAILABLE + ErrorInfo OVERLOADED), is retried for any method;
 * - otherwise only idempotent methods, and only on the configured codes;
 * - and only while the retry budget has room.
 */
export function retryDecision(error: unknown, input: RetryDecisionInput, budget: RetryBudget): RetryDecision {
  if (input.attempt >= input.policy.maxAttempts) return 'no_attempts_left';
  if (error instanceof CircuitOpenError) return 'circuit_open';
  if (error instanceof NoEndpointError) return 'no_endpoint';
  if (wasDeadlineTooShort(error)) return 'deadline_too_short';
  if (pushbackOf(error) === null) return 'pushback_no_retry';
  if (input.deadline !== undefined && input.deadline <= Date.now() + (input.delayMs ?? 0)) return 'deadline_passed';
  const allowed = wasNotSent(error) || wasShed(error) || (input.idempotent && error instanceof TuskError && input.policy.on.includes(codeName(error.code)));
  if (!allowed) return 'not_retryable';
  return budget.tryRetry() ? 'retry' : 'budget_exhausted';
}

export function shouldRetry(error: unknown, input: RetryDecisionInput, budget: RetryBudget): boolean {
  return retryDecision(error, input, budget) === 'retry';
}

/**
 * Whether to retry after `error` of attempt `attemptNumber`, given the backoff `delayMs` that would come first:
 * false = no, true = after `delayMs`, a number = after that many ms instead (e.g. until a pushback ends).
 */
export type Retryable = (error: unknown, attemptNumber: number, delayMs: number) => boolean | number;

/**
 * The retry loop of one method. Delays come from cockatiel's backoffs
 * (exponential with decorrelated jitter, or constant); the loop is ours
 * because cockatiel's retry sleeps through its backoff whatever the signal
 * says and knows no deadline: here an abort ends the backoff at once
 * (CANCELLED), and a retry that could not start before the deadline is not
 * made (the caller decides that from `delayMs`).
 */
export class MethodRetry {
  private readonly backoff: IBackoffFactory<unknown>;
  private readonly maxAttempts: number;

  constructor(retryPolicy: RetryPolicy) {
    this.maxAttempts = Math.max(1, retryPolicy.maxAttempts);
    this.backoff =
      retryPolicy.backoff === 'constant'
        ? new ConstantBackoff(retryPolicy.initialDelayMs)
        : new ExponentialBackoff({ initialDelay: retryPolicy.initialDelayMs, maxDelay: retryPolicy.maxDelayMs, generator: decorrelatedJitterGenerator });
  }

  /**
   * Runs `attempt(n)` (n from 1) until it succeeds, a failure is not `retryable`, or max_attempts is reached;
   * rejects with the last attempt's error. The first attempt costs no extra promise layer: most calls succeed at once.
   */
  execute<T>(attempt: (attemptNumber: number) => Promise<T>, retryable: Retryable, signal?: AbortSignal): Promise<T> {
    return attempt(1).catch((error: unknown) => this.retryAfter(error, attempt, retryable, signal));
  }

  private async retryAfter<T>(firstError: unknown, attempt: (attemptNumber: number) => Promise<T>, retryable: Retryable, signal: AbortSignal | undefined): Promise<T> {
    let error = firstError;
    let backoff: IBackoff<unknown> | undefined;
    for (let failed = 1; ; failed++) {
      if (failed >= this.maxAttempts || signal?.aborted) throw error;
      backoff = backoff === undefined ? this.backoff.next(undefined) : backoff.next(undefined);
      const verdict = retryable(error, failed, backoff.duration);
      if (verdict === false) throw error;
      await backoffSleep(verdict === true ? backoff.duration : verdict, signal);
      try {
        return await attempt(failed + 1);
      } catch (next) {
        error = next;
      }
    }
  }
}

/** Resolves after `ms`; rejects with CANCELLED as soon as `signal` aborts. */
async function backoffSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw new TuskError(Code.CANCELLED, 'call cancelled during the retry backoff');
    throw error;
  }
}

import { BrokenCircuitError, CircuitState, IsolatedCircuitError, ConsecutiveBreaker, SamplingBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy as CockatielBreaker } from 'cockatiel';
import type { CircuitBreakerPolicy } from '../config/types.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { NotSentError } from './failure.js';
import { isOverloadAnswer } from './pushback.js';

/** What the breaker itself needs; which failures count (`on`) is the caller's EndpointFailureRule. */
export type BreakerCounterPolicy = Omit<CircuitBreakerPolicy, 'on'>;

export type BreakerStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const BREAKER_STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * One endpoint's cockatiel breaker plus the one thing cockatiel does not
 * expose: whether a call may go there *now*. Cockatiel reports Open until the
 * next execute() even after half_open_after has passed, and queues calls
 * behind a half-open probe; the balancer must instead skip the endpoint
 * while it is open or while its single probe is in flight.
 */
export class EndpointBreaker {
  private readonly breaker: CockatielBreaker;
  private readonly halfOpenAfterMs: number;
  private openedAt = 0;
  private probing = false;

  constructor(
    policy: BreakerCounterPolicy,
    readonly address: string,
  ) {
    this.halfOpenAfterMs = policy.halfOpenAfterMs;
    const counter =
      policy.strategy === 'sampling'
        ? new SamplingBreaker({ threshold: policy.threshold, duration: policy.windowMs, minimumRps: policy.minimumRps })
        : new ConsecutiveBreaker(Math.max(1, Math.round(policy.threshold)));
    this.breaker = circuitBreaker(handleWhen((error) => error instanceof CountedFailure), { breaker: counter, halfOpenAfter: policy.halfOpenAfterMs });
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      this.probing = false;
    });
    this.breaker.onHalfOpen(() => {
      this.probing = true;
    });
    this.breaker.onReset(() => {
      this.probing = false;
    });
  }

  /** True when a call may be sent to this endpoint now (closed, or open long enough to probe and no probe running). */
  get usable(): boolean {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return true;
    if (state === CircuitState.HalfOpen) return !this.probing;
    if (state === CircuitState.Open) return Date.now() - this.openedAt >= this.halfOpenAfterMs;
    return false;
  }

  /** False while open or half-open: a call admitted now is a probe. */
  get closed(): boolean {
    return this.breaker.state === CircuitState.Closed;
  }

  get state(): CircuitState {
    return this.breaker.state;
  }

  /** Calls `listener` on every state change; returns a function that stops it. */
  onStateChange(listener: (state: BreakerStateName) => void): () => void {
    return this.breaker.onStateChange((state) => listener(BREAKER_STATE_NAMES[state] ?? 'isolated')).dispose;
  }

  /**
   * Runs `fn` through the breaker; a refusal becomes a NotSentError (the request never left).
   * Only failures for which `counts` is true count against the endpoint; whether one does
   * depends on the attempt (did its per-try timeout expire?), so the caller decides per call.
   * A half-open probe must prove the endpoint healthy: a server's answer (even an error)
   * closes the circuit, a probe that got none (cancelled, cut by the caller's deadline,
   * never sent) opens it again, where cockatiel would close it.
   */
  async execute<T>(fn: () => Promise<T>, counts: (error: unknown) => boolean): Promise<T> {
    const countsHere = this.closed ? counts : (error: unknown) => counts(error) || unanswered(error);
    try {
      return await this.breaker.execute(() =>
        fn().catch((error: unknown) => {
          throw countsHere(error) ? new CountedFailure(error) : error;
        }),
      );
    } catch (error) {
      if (error instanceof CountedFailure) throw error.error;
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new NotSentError(Code.UNAVAILABLE, `circuit open for endpoint ${this.address}`);
      }
      throw error;
    }
  }

  /**
   * Runs a call that outlives its result (a stream) through the breaker: `open` resolves with
   * the result (at the stream's first message), and the breaker's execution lasts until `end`
   * is called (no error = completed), so a stream that breaks midway is one failed execution.
   * A half-open probe is the exception: its verdict is its first message, so that a long
   * stream does not keep the endpoint unusable, and a later failure is counted on its own.
   */
  executeHeld<T>(open: () => Promise<T>, counts: (error: unknown) => boolean): Promise<{ result: T; end: (error?: unknown) => void }> {
    if (!this.closed) {
      return this.execute(open, counts).then((result) => ({
        result,
        end: (error?: unknown) => {
          if (error !== undefined && counts(error)) this.recordFailure(error);
        },
      }));
    }
    return new Promise((resolve, reject) => {
      let opened = false;
      this.execute(
        () =>
          new Promise<void>((complete, fail) => {
            open().then((result) => {
              opened = true;
              resolve({ result, end: (error?: unknown) => (error === undefined ? complete() : fail(error)) });
            }, fail);
          }),
        counts,
      ).catch((error: unknown) => {
        if (!opened) reject(error); // after the first message the outcome went to the breaker; the caller has it already
      });
    });
  }

  /** A failure seen outside an execution: counted as one more failed execution. While open this is a no-op. */
  private recordFailure(error: unknown): void {
    this.breaker.execute(() => Promise.reject(new CountedFailure(error))).catch(() => {});
  }
}

/** The call ended without the server's answer: it says nothing about the endpoint's health. */
function unanswered(error: unknown): boolean {
  if (error instanceof NotSentError) return true;
  if (isOverloadAnswer(error)) return false; // "busy" (even DEADLINE_TOO_SHORT) is an answer: the instance is alive
  return error instanceof TuskError && (error.code === Code.CANCELLED || error.code === Code.DEADLINE_EXCEEDED);
}

/** Carries a failure that counts through cockatiel's filter, which sees only the error. */
class CountedFailure {
  constructor(readonly error: unknown) {}
}

import type { AdaptiveLimitPolicy } from '../config/types.js';

/** How one call on an endpoint ended, as its adaptive limit reads it. */
export type LimitSample =
  /** The endpoint answered in time (success, or an error it chose to send): the limit may grow. */
  | 'ok'
  /** The endpoint said it is overloaded, or a per-try timeout expired there: the limit shrinks. */
  | 'drop'
  /** Says nothing about the endpoint (cancelled, the caller's own deadline, never sent). */
  | 'ignore';

/**
 * A client-side AIMD concurrency limit for one endpoint (the AIMD of Netflix's
 * concurrency-limits): additive increase while the endpoint keeps up and the
 * limit is actually used, multiplicative decrease when it pushes back. So a
 * client stops piling calls onto an instance that is struggling, before the
 * instance has to shed them.
 */
export class AimdLimit {
  private current: number;
  private running = 0;

  constructor(private readonly policy: AdaptiveLimitPolicy) {
    this.current = clamp(policy.initialLimit, policy);
  }

  /** The whole number of calls allowed at once now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  get inFlight(): number {
    return this.running;
  }

  /** True when one more call may start now. */
  get admits(): boolean {
    return this.running < this.limit;
  }

  /** Takes a slot; the caller checked `admits` (an over-limit start is still counted, never lost). */
  start(): void {
    this.running++;
  }

  /** Gives the slot back with what the call said about the endpoint. */
  end(sample: LimitSample): void {
    const inFlight = this.running;
    this.running = Math.max(0, this.running - 1);
    if (sample === 'drop') {
      this.current = clamp(this.current * this.policy.backoffRatio, this.policy);
    } else if (sample === 'ok' && inFlight * 2 >= this.limit) {
      // Grow only when the limit is what holds calls back: an idle client must not inflate it unseen.
      this.current = clamp(this.current + 1, this.policy);
    }
  }
}

function clamp(limit: number, { minLimit, maxLimit }: AdaptiveLimitPolicy): number {
  return Math.min(Math.max(limit, minLimit), Math.max(minLimit, maxLimit));
}

// How busy one endpoint is for one client: the pushback it asked for and its
// optional client-side adaptive limit (pipeline.ts stage 7 skips a busy endpoint).
import type { AdaptiveLimitPolicy } from '../config/types.js';
import { AimdLimit, type LimitSample } from '../resilience/adaptive-limit.js';
import { NotSentError } from '../resilience/failure.js';
import { isOverloadAnswer } from '../resilience/pushback.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';

export class EndpointLoad {
  private pushedBackUntil = 0;
  /** undefined when [client] adaptive_limit is off. */
  readonly limit: AimdLimit | undefined;

  constructor(policy: AdaptiveLimitPolicy | null, private readonly now: () => number = Date.now) {
    this.limit = policy === null ? undefined : new AimdLimit(policy);
  }

  /** True when a new call may go there now: no pushback running, and under its adaptive limit. */
  get admits(): boolean {
    return (this.pushedBackUntil === 0 || this.pushbackLeftMs() === 0) && (this.limit === undefined || this.limit.admits);
  }

  /** ms until the endpoint's pushback ends; 0 = none. */
  pushbackLeftMs(): number {
    if (this.pushedBackUntil === 0) return 0;
    const left = this.pushedBackUntil - this.now();
    if (left > 0) return left;
    this.pushedBackUntil = 0;
    return 0;
  }

  /** The endpoint asked for no calls during `ms`; a later, shorter pushback does not cut an earlier one short. */
  pushBack(ms: number): void {
    if (ms > 0) this.pushedBackUntil = Math.max(this.pushedBackUntil, this.now() + ms);
  }
}

/**
 * What an attempt's outcome tells the adaptive limit. `counts`: the failure
 * counts against the endpoint (EndpointFailureRule; DEADLINE_EXCEEDED only
 * when the attempt's per-try timeout expired there).
 */
export function limitSample(error: unknown, counts: boolean): LimitSample {
  if (error === undefined) return 'ok';
  if (isOverloadAnswer(error)) return 'drop';
  if (!(error instanceof TuskError) || error instanceof NotSentError || error.code === Code.CANCELLED) return 'ignore';
  if (error.code === Code.DEADLINE_EXCEEDED) return counts ? 'drop' : 'ignore'; // too slow there, or only the caller's patience ran out
  return counts ? 'ignore' : 'ok'; // broken (the breaker's business) vs answered
}

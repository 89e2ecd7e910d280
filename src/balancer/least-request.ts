import { InFlightCounter, twoRandomIndexes } from './in-flight.js';
import type { Balancer, BalancerEndpoint, PickContext } from './types.js';

/**
 * How long a call that ended badly (a failure, or a "busy" answer such as a shed) makes its endpoint
 * count as more loaded than any healthy one. Without it an endpoint that refuses fast has the fewest
 * calls in flight and attracts the most traffic. The same span as p2c_ewma's failure penalty.
 */
const BAD_END_PENALTY_MS = 250;

/** Power of two choices on in-flight calls: pick two at random, use the less busy. */
export class LeastRequestBalancer implements Balancer {
  readonly name = 'least_request';
  private readonly inFlight = new InFlightCounter();
  private readonly badEndAt = new Map<string, number>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  pick<E extends BalancerEndpoint>(candidates: readonly E[], _context?: PickContext): E {
    if (candidates.length === 1) return candidates[0]!;
    const [i, j] = twoRandomIndexes(candidates.length, this.random);
    const a = candidates[i]!;
    const b = candidates[j]!;
    if (this.badEndAt.size > 0) {
      const aBad = this.endedBadly(a.address);
      if (aBad !== this.endedBadly(b.address)) return aBad ? b : a;
    }
    return this.inFlight.get(b.address) < this.inFlight.get(a.address) ? b : a;
  }

  onStart(address: string): void {
    this.inFlight.increment(address);
  }

  onEnd(address: string, _latencyMs?: number, ok = true): void {
    if (!this.inFlight.decrement(address)) return;
    if (ok) this.badEndAt.delete(address);
    else this.badEndAt.set(address, this.now());
  }

  forget(address: string): void {
    this.inFlight.forget(address);
    this.badEndAt.delete(address);
  }

  private endedBadly(address: string): boolean {
    const at = this.badEndAt.get(address);
    if (at === undefined) return false;
    if (this.now() - at < BAD_END_PENALTY_MS) return true;
    this.badEndAt.delete(address);
    return false;
  }
}

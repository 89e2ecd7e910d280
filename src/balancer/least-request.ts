import { InFlightCounter, twoRandomIndexes } from './in-flight.js';
import type { Balancer, BalancerEndpoint, PickContext } from './types.js';

/** Power of two choices on in-flight calls: pick two at random, use the less busy. */
export class LeastRequestBalancer implements Balancer {
  readonly name = 'least_request';
  private readonly inFlight = new InFlightCounter();

  constructor(private readonly random: () => number = Math.random) {}

  pick<E extends BalancerEndpoint>(candidates: readonly E[], _context?: PickContext): E {
    if (candidates.length === 1) return candidates[0]!;
    const [i, j] = twoRandomIndexes(candidates.length, this.random);
    const a = candidates[i]!;
    const b = candidates[j]!;
    return this.inFlight.get(b.address) < this.inFlight.get(a.address) ? b : a;
  }

  onStart(address: string): void {
    this.inFlight.increment(address);
  }

  onEnd(address: string): void {
    this.inFlight.decrement(address);
  }

  forget(address: string): void {
    this.inFlight.forget(address);
  }
}

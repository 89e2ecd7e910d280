import type { Balancer, BalancerEndpoint, PickContext } from './types.js';

/** Each call goes to the next candidate in turn. */
export class RoundRobinBalancer implements Balancer {
  readonly name = 'round_robin';
  private next = 0;

  pick<E extends BalancerEndpoint>(candidates: readonly E[], _context?: PickContext): E {
    // Start at a random offset so many clients don't hit the same endpoint first.
    if (this.next === 0) this.next = Math.floor(Math.random() * candidates.length) + 1;
    const index = this.next++ % candidates.length;
    if (this.next > 1e9) this.next = 1;
    return candidates[index]!;
  }
}

import type { Balancer, BalancerEndpoint, PickContext } from './types.js';

/** Uniformly random choice; no state, no feedback. */
export class RandomBalancer implements Balancer {
  readonly name = 'random';

  constructor(private readonly random: () => number = Math.random) {}

  pick<E extends BalancerEndpoint>(candidates: readonly E[], _context?: PickContext): E {
    return candidates[Math.floor(this.random() * candidates.length)]!;
  }
}

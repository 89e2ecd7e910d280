import type { Balancer, BalancerEndpoint } from './types.js';

/** Uniformly random choice; no state, no feedback. */
export class RandomBalancer implements Balancer {
  readonly name = 'random';

  constructor(private readonly random: () => number = Math.random) {}

  pick<E extends BalancerEndpoint>(candidates: readonly E[]): E {
    return candidates[Math.floor(this.random() * candidates.length)]!;
  }
}

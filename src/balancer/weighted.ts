import type { Balancer, BalancerEndpoint, PickContext } from './types.js';

export const DEFAULT_WEIGHT = 100;

/** Registry metadata `weight` (number or numeric string); missing or invalid → 100, 0 → never picked unless all are 0. */
export function endpointWeight(endpoint: BalancerEndpoint): number {
  const raw = endpoint.metadata['weight'];
  const weight = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(weight) && weight >= 0 ? weight : DEFAULT_WEIGHT;
}

/**
 * Smooth weighted round robin (as in nginx): deterministic, spreads picks of a
 * heavy endpoint evenly instead of in bursts.
 */
export class WeightedBalancer implements Balancer {
  readonly name = 'weighted';
  private readonly current = new Map<string, number>();

  pick<E extends BalancerEndpoint>(candidates: readonly E[], _context?: PickContext): E {
    let total = 0;
    let best: E | undefined;
    let bestScore = -Infinity;
    for (const endpoint of candidates) {
      const weight = endpointWeight(endpoint);
      total += weight;
      const score = (this.current.get(endpoint.address) ?? 0) + weight;
      this.current.set(endpoint.address, score);
      if (score > bestScore) {
        bestScore = score;
        best = endpoint;
      }
    }
    if (total === 0) return candidates[Math.floor(Math.random() * candidates.length)]!;
    this.current.set(best!.address, bestScore - total);
    if (this.current.size > candidates.length * 4) this.forgetGone(candidates);
    return best!;
  }

  forget(address: string): void {
    this.current.delete(address);
  }

  private forgetGone(candidates: readonly BalancerEndpoint[]): void {
    const live = new Set(candidates.map((endpoint) => endpoint.address));
    for (const address of this.current.keys()) if (!live.has(address)) this.current.delete(address);
  }
}

import type { Balancer, BalancerEndpoint, PickContext } from './types.js';
import { endpointWeight, DEFAULT_WEIGHT } from './weighted.js';

/** Points on the ring for an endpoint of default weight; more points, smoother spread. */
const POINTS_PER_DEFAULT_WEIGHT = 160;
const CACHED_RINGS = 4;

interface Ring {
  readonly hashes: Uint32Array;
  readonly owners: readonly number[];
}

/** 32-bit FNV-1a with a final avalanche mix: fast, stable across processes and versions. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * Consistent hashing on the call's `hashKey` (Ketama-style ring with weighted
 * virtual nodes): the same key reaches the same endpoint, and when an endpoint
 * leaves only its keys move. Calls without a key are spread at random.
 */
export class RingHashBalancer implements Balancer {
  readonly name = 'ring_hash';
  private readonly rings = new Map<string, Ring>();

  pick<E extends BalancerEndpoint>(candidates: readonly E[], context: PickContext): E {
    if (candidates.length === 1) return candidates[0]!;
    if (context.hashKey === undefined) return candidates[Math.floor(Math.random() * candidates.length)]!;
    const ring = this.ringFor(candidates);
    const target = hash32(context.hashKey);
    // First point clockwise from the key's hash (binary search), wrapping around.
    let low = 0;
    let high = ring.hashes.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (ring.hashes[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return candidates[ring.owners[low === ring.hashes.length ? 0 : low]!]!;
  }

  private ringFor(candidates: readonly BalancerEndpoint[]): Ring {
    const key = candidates.map((endpoint) => endpoint.address).join(',');
    let ring = this.rings.get(key);
    if (ring === undefined) {
      ring = buildRing(candidates);
      if (this.rings.size >= CACHED_RINGS) this.rings.delete(this.rings.keys().next().value!);
      this.rings.set(key, ring);
    }
    return ring;
  }
}

function buildRing(candidates: readonly BalancerEndpoint[]): Ring {
  const points: Array<{ hash: number; owner: number }> = [];
  candidates.forEach((endpoint, owner) => {
    const count = Math.max(1, Math.round((endpointWeight(endpoint) / DEFAULT_WEIGHT) * POINTS_PER_DEFAULT_WEIGHT));
    for (let i = 0; i < count; i++) points.push({ hash: hash32(`${endpoint.address}#${i}`), owner });
  });
  points.sort((x, y) => x.hash - y.hash);
  return { hashes: Uint32Array.from(points, (point) => point.hash), owners: points.map((point) => point.owner) };
}

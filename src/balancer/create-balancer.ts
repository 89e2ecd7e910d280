import type { BalancerName } from '../config/types.js';
import { LeastRequestBalancer } from './least-request.js';
import { P2cEwmaBalancer } from './p2c-ewma.js';
import { RandomBalancer } from './random.js';
import { RingHashBalancer } from './ring-hash.js';
import { RoundRobinBalancer } from './round-robin.js';
import type { Balancer } from './types.js';
import { WeightedBalancer } from './weighted.js';

const factories: Record<BalancerName, () => Balancer> = {
  round_robin: () => new RoundRobinBalancer(),
  random: () => new RandomBalancer(),
  weighted: () => new WeightedBalancer(),
  least_request: () => new LeastRequestBalancer(),
  p2c_ewma: () => new P2cEwmaBalancer(),
  ring_hash: () => new RingHashBalancer(),
};

/** A fresh balancer of the named policy (each keeps its own state). */
export function createBalancer(name: BalancerName): Balancer {
  const factory = factories[name];
  if (factory === undefined) throw new Error(`tusk-grpc: unknown balancer "${String(name)}"`);
  return factory();
}

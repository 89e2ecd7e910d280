export type { Balancer, BalancerEndpoint, PickContext } from './types.js';
export { createBalancer } from './create-balancer.js';
export { RoundRobinBalancer } from './round-robin.js';
export { RandomBalancer } from './random.js';
export { WeightedBalancer, endpointWeight } from './weighted.js';
export { LeastRequestBalancer } from './least-request.js';
export { P2cEwmaBalancer } from './p2c-ewma.js';
export { RingHashBalancer, hash32 } from './ring-hash.js';

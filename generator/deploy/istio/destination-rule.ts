import type { IDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1/DestinationRule';
import type { BalancerName, CircuitBreakerPolicy } from '../../../src/config/index.js';
import { metadata } from '../labels.js';
import type { DeployTarget } from '../target.js';
import { serviceHost } from './virtual-service.js';
import { protoDuration } from './mesh-policy.js';

type TrafficPolicy = NonNullable<NonNullable<IDestinationRule['spec']>['trafficPolicy']>;

/** The metadata key a caller sends the ring_hash key in, inside a mesh (Envoy hashes a header, not a call option). */
export const HASH_KEY_HEADER = 'x-tusk-hash-key';

/** Envoy's LEAST_REQUEST is power-of-two-choices on active requests: the nearest to p2c_ewma and least_request. */
const SIMPLE_BALANCER: Readonly<Record<Exclude<BalancerName, 'ring_hash'>, 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM'>> = {
  p2c_ewma: 'LEAST_REQUEST',
  least_request: 'LEAST_REQUEST',
  round_robin: 'ROUND_ROBIN',
  weighted: 'ROUND_ROBIN',
  random: 'RANDOM',
};

function loadBalancer(balancer: BalancerName): NonNullable<TrafficPolicy['loadBalancer']> {
  if (balancer === 'ring_hash') return { consistentHash: { httpHeaderName: HASH_KEY_HEADER, ringHash: { minimumRingSize: 1024 } } };
  return { simple: SIMPLE_BALANCER[balancer] };
}

/** Codes Envoy counts as gateway errors (HTTP 502/503/504 for gRPC): the ones an endpoint's failure causes. */
const GATEWAY_CODES = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);
/** Consecutive failures the mesh ejects after when the breaker samples a ratio, which outlier detection cannot express. */
const SAMPLING_FALLBACK_ERRORS = 5;

/**
 * The per-endpoint breaker as outlier detection: an endpoint failing
 * `threshold` times in a row is ejected for `half_open_after`. Never more
 * than half of them, so a bad deploy cannot eject every endpoint.
 */
function outlierDetection(breaker: CircuitBreakerPolicy): NonNullable<TrafficPolicy['outlierDetection']> {
  const errors = breaker.strategy === 'consecutive' ? breaker.threshold : SAMPLING_FALLBACK_ERRORS;
  const counted = breaker.on.every((code) => GATEWAY_CODES.has(code)) ? { consecutiveGatewayErrors: errors } : { consecutive5xxErrors: errors };
  return { ...counted, interval: protoDuration(Math.min(breaker.halfOpenAfterMs, 10_000)), baseEjectionTime: protoDuration(breaker.halfOpenAfterMs), maxEjectionPercent: 50 };
}

export function destinationRule(target: DeployTarget): IDestinationRule {
  const { client } = target.config;
  const trafficPolicy: TrafficPolicy = {
    loadBalancer: loadBalancer(client.balancer),
    ...(client.bulkhead === null
      ? {}
      : { connectionPool: { http: { http2MaxRequests: client.bulkhead.maxConcurrent, http1MaxPendingRequests: Math.max(client.bulkhead.queue, 1) } } }),
    outlierDetection: outlierDetection(client.circuitBreaker),
    // PeerAuthentication STRICT on the server side; the client side of the sidecar originates Istio mTLS.
    tls: { mode: 'ISTIO_MUTUAL' },
  };
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: metadata(target),
    spec: { host: serviceHost(target), trafficPolicy },
  };
}

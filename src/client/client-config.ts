// TEMPORARY: stands in for src/config's effectiveClientConfig() until it lands;
// delete this file then and import that instead. Applies built-in defaults and
// ClientOptions only (not the target's .tsk nor the caller's [dependencies]).
import type { ServiceDescriptor } from '../config/service-definition.js';
import type { BalancerName, ClientPolicy, DiscoverySection, RetryPolicy } from '../config/types.js';
import type { ClientOptions } from './client-options.js';

export interface EffectiveMethodPolicy {
  readonly timeoutMs: number;
  readonly idempotent: boolean;
  readonly balancer: BalancerName;
  readonly retry: RetryPolicy;
}

export interface EffectiveClientConfig {
  readonly discovery: DiscoverySection;
  readonly policy: ClientPolicy;
  /** Keyed by proto method name. */
  readonly methods: Readonly<Record<string, EffectiveMethodPolicy>>;
}

const DEFAULT_POLICY: ClientPolicy = {
  balancer: 'p2c_ewma',
  timeoutMs: 5_000,
  retry: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 25, maxDelayMs: 1_000, on: ['UNAVAILABLE'], budget: 0.2 },
  circuitBreaker: { strategy: 'consecutive', threshold: 5, halfOpenAfterMs: 5_000, windowMs: 10_000, minimumRps: 5 },
  bulkhead: null,
};

const DEFAULT_DISCOVERY: DiscoverySection = {
  provider: 'local',
  endpoints: ['127.0.0.1:2379'],
  prefix: 'services',
  ttlMs: 10_000,
  dir: '',
};

export function effectiveClientConfig(target: ServiceDescriptor, options: ClientOptions = {}): EffectiveClientConfig {
  const policy: ClientPolicy = {
    balancer: options.balancer ?? DEFAULT_POLICY.balancer,
    timeoutMs: options.timeout ?? DEFAULT_POLICY.timeoutMs,
    retry: { ...DEFAULT_POLICY.retry, ...options.retry },
    circuitBreaker: { ...DEFAULT_POLICY.circuitBreaker, ...options.circuitBreaker },
    bulkhead: options.bulkhead === undefined ? DEFAULT_POLICY.bulkhead : options.bulkhead,
  };
  const methods: Record<string, EffectiveMethodPolicy> = {};
  for (const method of Object.values(target.methods)) {
    const override = options.methods?.[method.name];
    methods[method.name] = {
      timeoutMs: override?.timeoutMs ?? policy.timeoutMs,
      idempotent: override?.idempotent ?? false,
      balancer: override?.balancer ?? policy.balancer,
      retry: { ...policy.retry, ...override?.retry },
    };
  }
  return { discovery: { ...DEFAULT_DISCOVERY, ...options.discovery }, policy, methods };
}

// TEMPORARY: stands in for src/config's effectiveClientConfig() until it lands;
// delete this file then and import that instead. Applies built-in defaults and
// the target's resolved .tsk and ClientOptions (not yet the caller's [dependencies]).
import { resolveServiceConfig } from '../config/resolve-descriptor.js';
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

export function effectiveClientConfig(target: ServiceDescriptor, options: ClientOptions = {}): EffectiveClientConfig {
  const resolved = resolveServiceConfig(target);
  const base = resolved.client;
  const policy: ClientPolicy = {
    balancer: options.balancer ?? base.balancer,
    timeoutMs: options.timeout ?? base.timeoutMs,
    retry: { ...base.retry, ...options.retry },
    circuitBreaker: { ...base.circuitBreaker, ...options.circuitBreaker },
    bulkhead: options.bulkhead === undefined ? base.bulkhead : options.bulkhead,
  };
  const methods: Record<string, EffectiveMethodPolicy> = {};
  for (const method of Object.values(target.methods)) {
    const own = resolved.methods[method.name];
    const override = options.methods?.[method.name];
    methods[method.name] = {
      timeoutMs: override?.timeoutMs ?? (options.timeout !== undefined ? undefined : own?.timeoutMs) ?? policy.timeoutMs,
      idempotent: override?.idempotent ?? own?.idempotent ?? false,
      balancer: override?.balancer ?? (options.balancer !== undefined ? undefined : own?.balancer) ?? policy.balancer,
      retry: { ...policy.retry, ...own?.retry, ...override?.retry },
    };
  }
  return { discovery: { ...resolved.discovery, ...options.discovery }, policy, methods };
}

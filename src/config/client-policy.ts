import type { ClientCaller, ClientOptions } from '../client/client-options.js';
import { ConfigError } from './config-error.js';
import { didYouMean, didYouMeanSuffix } from './did-you-mean.js';
import { etcdEndpointsFromEnv } from './env-overrides.js';
import { loadDescriptor } from './load-descriptor.js';
import { resolveServiceConfig } from './resolve-descriptor.js';
import { SAMPLING_DEFAULT_THRESHOLD } from './schema.js';
import { definedServiceDescriptors, type ServiceDescriptor } from './service-definition.js';
import type {
  BalancerName, CircuitBreakerPolicy, ClientPolicy, ClientPolicyOverrides, DependencyPolicy, DiscoverySection, MethodPolicy, RetryPolicy,
} from './types.js';

/** What one RPC of a client runs with after every layer is applied. */
export interface EffectiveMethodPolicy {
  readonly timeoutMs: number;
  readonly idempotent: boolean;
  readonly balancer: BalancerName;
  readonly retry: RetryPolicy;
}

export interface EffectiveClientConfig {
  /** How to find the target's instances. */
  readonly discovery: DiscoverySection;
  /** Service-wide policy. */
  readonly policy: ClientPolicy;
  /** Keyed by proto method name, one per method of the target. */
  readonly methods: Readonly<Record<string, EffectiveMethodPolicy>>;
}

/** The descriptor of a caller given as a descriptor or as a service instance. */
export function callerDescriptor(caller: ClientCaller): ServiceDescriptor {
  return 'descriptor' in caller ? caller.descriptor : caller;
}

/** The caller's `[dependencies]` entry for a service; undefined when it has none. */
export function findDependency(caller: ClientCaller, serviceName: string, env: NodeJS.ProcessEnv = process.env): DependencyPolicy | undefined {
  return resolveServiceConfig(callerDescriptor(caller), env).dependencies[serviceName];
}

/** Drops undefined fields so `{ ...base, ...withoutUndefined(layer) }` only overrides what a layer sets. */
function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function mergeBreaker(base: CircuitBreakerPolicy, layer: Partial<CircuitBreakerPolicy> | undefined): CircuitBreakerPolicy {
  const merged = { ...base, ...withoutUndefined(layer) };
  // A threshold reads differently per strategy (count vs ratio): switching strategy without one takes that strategy's default.
  if (layer?.strategy !== undefined && layer.strategy !== base.strategy && layer.threshold === undefined) {
    return { ...merged, threshold: layer.strategy === 'sampling' ? SAMPLING_DEFAULT_THRESHOLD : 5 };
  }
  return merged;
}

function mergePolicy(base: ClientPolicy, layer: ClientPolicyOverrides | undefined): ClientPolicy {
  if (!layer) return base;
  return {
    ...base, // the target's connection limits: no override layer sets them
    balancer: layer.balancer ?? base.balancer,
    timeoutMs: layer.timeoutMs ?? base.timeoutMs,
    retry: { ...base.retry, ...withoutUndefined(layer.retry) },
    circuitBreaker: mergeBreaker(base.circuitBreaker, layer.circuitBreaker),
    bulkhead: layer.bulkhead !== undefined ? layer.bulkhead : base.bulkhead,
    adaptiveLimit: layer.adaptiveLimit !== undefined ? layer.adaptiveLimit : base.adaptiveLimit,
  };
}

function mergeMethod(base: EffectiveMethodPolicy, layer: Partial<MethodPolicy> | ClientPolicyOverrides | undefined): EffectiveMethodPolicy {
  if (!layer) return base;
  return {
    timeoutMs: layer.timeoutMs ?? base.timeoutMs,
    idempotent: ('idempotent' in layer ? layer.idempotent : undefined) ?? base.idempotent,
    balancer: layer.balancer ?? base.balancer,
    retry: { ...base.retry, ...withoutUndefined(layer.retry) },
  };
}

function mergeDiscovery(base: DiscoverySection, layer: Partial<DiscoverySection> | undefined, env: NodeJS.ProcessEnv, label: string): DiscoverySection {
  if (!layer) return base;
  const merged = { ...base, ...withoutUndefined(layer) };
  // Switched to etcd here: the cluster comes from TUSK_ETCD_ENDPOINTS as it would for the target's own setting.
  if (merged.provider === 'etcd' && base.provider !== 'etcd' && layer.endpoints === undefined) {
    return { ...merged, endpoints: etcdEndpointsFromEnv(env, label) ?? base.endpoints };
  }
  return merged;
}

/**
 * The caller has no entry for the target, but one naming a service that is
 * one typo away from it, known neither at generation (embedded entries were
 * checked then) nor to this process: a .tsk edited after generation. Generate
 * would have refused it, so it is an error here too rather than a dropped entry.
 */
function checkMisspeltTarget(caller: ServiceDescriptor, target: ServiceDescriptor, env: NodeJS.ProcessEnv): void {
  const known = new Set(definedServiceDescriptors().map((service) => service.name));
  for (const entry of Object.values(caller.config.dependencies ?? {})) {
    const service = (entry as { service?: unknown } | null)?.service;
    if (typeof service === 'string') known.add(service);
  }
  const resolved = resolveServiceConfig(caller, env);
  for (const [service, entry] of Object.entries(resolved.dependencies)) {
    if (known.has(service) || didYouMean(service, [target.name]) === undefined) continue;
    throw new ConfigError(resolved.source ?? `${caller.name} (no .tsk)`, `[dependencies] ${entry.alias}`,
      `unknown service ${JSON.stringify(service)}${didYouMeanSuffix(service, [target.name])}`,
      undefined, loadDescriptor(caller).keyAt(['dependencies', entry.alias, 'service']));
  }
}

function checkMethodNames(names: readonly string[], layer: ClientPolicyOverrides | undefined, describe: (name: string) => Error): void {
  for (const name of Object.keys(layer?.methods ?? {})) {
    if (!names.includes(name)) throw describe(name);
  }
}

/**
 * The configuration a client of `target` runs with. Later layers win:
 * built-in defaults → the target's [client] → the target's [methods] → the
 * caller's [dependencies] entry (service-wide, then its methods) → `options`
 * (service-wide, then methods). So a caller's service-wide `timeout` beats the
 * target's per-method one. The caller is `options.caller` only, never guessed:
 * without it no [dependencies] entry applies. `options.endpoints` means the
 * static provider with exactly those addresses.
 */
export function effectiveClientConfig(target: ServiceDescriptor, options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): EffectiveClientConfig {
  const own = resolveServiceConfig(target, env);
  const label = target.descriptorFile ?? `${target.name} (no .tsk)`;
  const caller = options.caller === undefined ? undefined : callerDescriptor(options.caller);
  const dependency = caller === undefined ? undefined : findDependency(caller, target.name, env);
  if (caller !== undefined && dependency === undefined) checkMisspeltTarget(caller, target, env);
  const fromOptions: ClientPolicyOverrides = { ...options, timeoutMs: options.timeout };
  const methodNames = Object.values(target.methods).map((method) => method.name);

  checkMethodNames(methodNames, dependency, (name) => new ConfigError(
    resolveServiceConfig(caller!, env).source ?? `${caller!.name} (no .tsk)`, `[dependencies] ${dependency!.alias}.methods`,
    `unknown method ${JSON.stringify(name)} of ${target.name}${didYouMeanSuffix(name, methodNames)}`,
    undefined, loadDescriptor(caller!).keyAt(['dependencies', dependency!.alias, 'methods', name]),
  ));
  checkMethodNames(methodNames, fromOptions, (name) => new TypeError(
    `client options for ${target.name}: unknown method ${JSON.stringify(name)}${didYouMeanSuffix(name, methodNames)}`,
  ));

  let discovery = mergeDiscovery(own.discovery, dependency?.discovery, env, label);
  discovery = mergeDiscovery(discovery, options.discovery, env, label);
  if (options.endpoints) discovery = { ...discovery, provider: 'static', endpoints: [...options.endpoints] };

  const policy = mergePolicy(mergePolicy(own.client, dependency), fromOptions);

  const methods: Record<string, EffectiveMethodPolicy> = {};
  for (const name of methodNames) {
    let method: EffectiveMethodPolicy = { timeoutMs: own.client.timeoutMs, idempotent: false, balancer: own.client.balancer, retry: own.client.retry };
    method = mergeMethod(method, own.methods[name]);
    for (const layer of [dependency, fromOptions]) {
      method = mergeMethod(method, layer);
      method = mergeMethod(method, layer?.methods?.[name]);
    }
    methods[name] = method;
  }
  return { discovery, policy, methods };
}

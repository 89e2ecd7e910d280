import type { DependencyPolicy, MethodPolicy, RetryPolicy } from '../../../src/config/index.js';
import type { DeployMethod, DeployTarget } from '../target.js';

/** What the owner's descriptor says every caller of one method gets: [client], then [methods]. */
export interface MeshMethodPolicy {
  readonly method: DeployMethod;
  readonly timeoutMs: number;
  readonly idempotent: boolean;
  readonly retry: RetryPolicy;
}

type Layer = { readonly timeoutMs?: number; readonly idempotent?: boolean; readonly retry?: Partial<RetryPolicy> } | undefined;

function merge(base: Omit<MeshMethodPolicy, 'method'>, layer: Layer): Omit<MeshMethodPolicy, 'method'> {
  if (layer === undefined) return base;
  const retry = Object.fromEntries(Object.entries(layer.retry ?? {}).filter(([, value]) => value !== undefined));
  return { timeoutMs: layer.timeoutMs ?? base.timeoutMs, idempotent: layer.idempotent ?? base.idempotent, retry: { ...base.retry, ...retry } };
}

/**
 * Per method, the layers a tusk client applies (client-policy.ts): the
 * owner's [client], its [methods], then a caller's [dependencies] entry
 * (service-wide, then its methods), so the mesh routes as the client would.
 */
export function meshMethodPolicies(target: DeployTarget, dependency?: DependencyPolicy): MeshMethodPolicy[] {
  const { client, methods } = target.config;
  return target.methods.map((method) => {
    let policy = merge({ timeoutMs: client.timeoutMs, idempotent: false, retry: client.retry }, methods[method.name]);
    policy = merge(policy, dependency === undefined ? undefined : { timeoutMs: dependency.timeoutMs, retry: dependency.retry });
    policy = merge(policy, dependency?.methods?.[method.name] as Partial<MethodPolicy> | undefined);
    return { method, ...policy };
  });
}

/** Whether a caller's entry changes anything the mesh routes by (a timeout or retries). */
export function overridesRouting(dependency: DependencyPolicy): boolean {
  const methodLayers = Object.values(dependency.methods ?? {});
  return dependency.timeoutMs !== undefined || dependency.retry !== undefined || methodLayers.some((layer) => layer.timeoutMs !== undefined || layer.retry !== undefined || layer.idempotent !== undefined);
}

/** Envoy's gRPC retry conditions by status code name; codes it cannot retry on are left out. */
const ENVOY_GRPC_RETRY_ON: Readonly<Record<string, string>> = {
  CANCELLED: 'cancelled',
  DEADLINE_EXCEEDED: 'deadline-exceeded',
  INTERNAL: 'internal',
  RESOURCE_EXHAUSTED: 'resource-exhausted',
  UNAVAILABLE: 'unavailable',
};

/** `retryOn` for the codes a retry policy names; UNAVAILABLE also covers the connection failures gRPC reports as UNAVAILABLE. */
export function envoyRetryOn(codes: readonly string[]): string | undefined {
  const conditions = codes.filter((code) => Object.hasOwn(ENVOY_GRPC_RETRY_ON, code)).map((code) => ENVOY_GRPC_RETRY_ON[code]!);
  if (codes.includes('UNAVAILABLE')) conditions.unshift('connect-failure', 'refused-stream');
  return conditions.length === 0 ? undefined : [...new Set(conditions)].join(',');
}

/** A protobuf JSON duration ("0.3s", "10s"), the form Istio's API takes. */
export function protoDuration(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

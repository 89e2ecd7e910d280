import type { RetryPolicy } from '../../../src/config/index.js';
import type { DeployMethod, DeployTarget } from '../target.js';

/** What the owner's descriptor says every caller of one method gets: [client], then [methods]. */
export interface MeshMethodPolicy {
  readonly method: DeployMethod;
  readonly timeoutMs: number;
  readonly idempotent: boolean;
  readonly retry: RetryPolicy;
}

export function meshMethodPolicies(target: DeployTarget): MeshMethodPolicy[] {
  const { client, methods } = target.config;
  return target.methods.map((method) => {
    const own = methods[method.name];
    return {
      method,
      timeoutMs: own?.timeoutMs ?? client.timeoutMs,
      idempotent: own?.idempotent ?? false,
      retry: { ...client.retry, ...Object.fromEntries(Object.entries(own?.retry ?? {}).filter(([, value]) => value !== undefined)) },
    };
  });
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

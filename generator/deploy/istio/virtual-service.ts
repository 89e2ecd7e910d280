import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import { metadata } from '../labels.js';
import type { DeployTarget } from '../target.js';
import type { DependencyPolicy } from '../../../src/config/index.js';
import type { Caller } from '../callers.js';
import { envoyRetryOn, meshMethodPolicies, overridesRouting, protoDuration, type MeshMethodPolicy } from './mesh-policy.js';

type HttpRoute = NonNullable<NonNullable<IVirtualService['spec']>['http']>[number];

/** The Service's in-cluster name: what the VirtualService and DestinationRule apply to, and what callers dial. */
export function serviceHost(target: DeployTarget): string {
  return `${target.name}.${target.namespace}.svc.cluster.local`;
}

/**
 * Retries only where the descriptor says a method is idempotent; everywhere
 * else `attempts: 0`, which also switches off Istio's default retries (2, on
 * connect-failure, refused-stream, unavailable, ...) that would otherwise
 * repeat a CreateUser. Each try gets an equal share of the method's timeout.
 */
function retries(policy: MeshMethodPolicy): NonNullable<HttpRoute['retries']> {
  const retryOn = envoyRetryOn(policy.retry.on);
  const attempts = policy.retry.maxAttempts - 1;
  if (!policy.idempotent || retryOn === undefined || attempts < 1) return { attempts: 0 };
  return { attempts, perTryTimeout: protoDuration(Math.floor(policy.timeoutMs / policy.retry.maxAttempts)), retryOn };
}

/** A caller whose [dependencies] entry overrides this service's timeouts or retries, with that entry. */
export interface RoutedCaller {
  readonly caller: Caller;
  readonly dependency: DependencyPolicy;
}

/**
 * One route per method from the owner's descriptor; before them, for each
 * caller whose [dependencies] entry overrides timeouts or retries, its own
 * routes matched by its pods' labels, so the mesh applies what that caller's
 * tusk client would have.
 */
export function virtualService(target: DeployTarget, routedCallers: readonly RoutedCaller[] = []): IVirtualService {
  const host = serviceHost(target);
  const destination = { host, port: { number: target.grpcPort } };
  const route = (policy: MeshMethodPolicy, name: string, sourceLabels?: Record<string, string>): HttpRoute => ({
    name,
    match: [{ uri: { exact: policy.method.path }, ...(sourceLabels === undefined ? {} : { sourceLabels }) }],
    timeout: protoDuration(policy.timeoutMs),
    retries: retries(policy),
    route: [{ destination }],
  });
  const routes: HttpRoute[] = [];
  for (const { caller, dependency } of routedCallers.filter((entry) => overridesRouting(entry.dependency))) {
    const labels = { 'app.kubernetes.io/name': caller.name };
    routes.push(...meshMethodPolicies(target, dependency).map((policy) => route(policy, `${caller.name}-${policy.method.name}`, labels)));
  }
  routes.push(...meshMethodPolicies(target).map((policy) => route(policy, policy.method.name)));
  // Health, reflection and anything else on the port: the service's default timeout, never retried.
  routes.push({ name: 'default', timeout: protoDuration(target.config.client.timeoutMs), retries: { attempts: 0 }, route: [{ destination }] });
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: metadata(target),
    spec: { hosts: [host], http: routes },
  };
}

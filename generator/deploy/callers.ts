import type { DeployTarget } from './target.js';

/** A service allowed to call another: one whose descriptor lists it under [dependencies]. */
export interface Caller {
  /** Its Kubernetes name: what its pods are labelled with. */
  readonly name: string;
  readonly serviceAccount: string;
  readonly namespace: string;
}

/** Callers from outside the deployed services (`[deploy] allow_from`, "namespace/serviceaccount"). */
export interface ExternalCaller {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The deployed services whose [dependencies] name `target`, sorted by name. */
export function callersOf(target: DeployTarget, all: readonly DeployTarget[]): Caller[] {
  return all
    .filter((other) => Object.hasOwn(other.config.dependencies, target.service))
    .map((other) => ({ name: other.name, serviceAccount: other.serviceAccount, namespace: other.namespace }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function externalCallersOf(target: DeployTarget): ExternalCaller[] {
  return target.deploy.allowFrom.map((entry) => {
    const [namespace, serviceAccount] = entry.split('/') as [string, string];
    return { namespace, serviceAccount };
  });
}

/** The SPIFFE-style identity Istio gives a workload: what AuthorizationPolicy principals match. */
export function principal(caller: { readonly namespace: string; readonly serviceAccount: string }): string {
  return `cluster.local/ns/${caller.namespace}/sa/${caller.serviceAccount}`;
}

import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import type { IPeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication';
import { principal, type Caller, type ExternalCaller } from '../callers.js';
import { metadata, selectorLabels } from '../labels.js';
import type { DeployTarget } from '../target.js';
import { methodAccess } from './method-access.js';

type Rule = NonNullable<NonNullable<IAuthorizationPolicy['spec']>['rules']>[number];

/** The JWT claim Istio matches scopes against (RequestAuthentication must validate the token first). */
const SCOPE_CLAIM = 'request.auth.claims[scope]';
/** Kubelet probes are rewritten by the sidecar injector; callers still need health to pick endpoints. */
const HEALTH_PATHS = ['/grpc.health.v1.Health/*'];

/**
 * Mutual TLS only between sidecars. The metrics port stays PERMISSIVE, so a
 * Prometheus outside the mesh can still scrape it.
 */
export function peerAuthentication(target: DeployTarget): IPeerAuthentication {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: metadata(target),
    spec: {
      selector: { matchLabels: selectorLabels(target) },
      mtls: { mode: 'STRICT' },
      ...(target.metricsPort === null ? {} : { portLevelMtls: { [String(target.metricsPort)]: { mode: 'PERMISSIVE' as const } } }),
    },
  };
}

/**
 * ALLOW rules: callers (the services whose [dependencies] list this one, and
 * `[deploy] allow_from`) by their service-account principals; public methods
 * from anyone; methods with scopes from callers whose JWT carries every scope
 * (one `when` per scope: conditions are ANDed, values within one are ORed).
 * No rule matching means denied, so a service nobody calls gets none.
 */
export function authorizationPolicy(target: DeployTarget, callers: readonly Caller[], external: readonly ExternalCaller[]): IAuthorizationPolicy {
  const principals = [...new Set([...callers, ...external].map(principal))].sort();
  const access = methodAccess(target);
  const rules: Rule[] = [];
  const publicPaths = access.filter((entry) => entry.public).map((entry) => entry.method.path);
  if (publicPaths.length > 0) rules.push({ to: [{ operation: { paths: publicPaths } }] });
  if (principals.length > 0) {
    const from = [{ source: { principals } }];
    const byScopes = new Map<string, string[]>();
    for (const entry of access.filter((item) => !item.public && item.scopes.length > 0)) {
      const key = entry.scopes.join(' ');
      byScopes.set(key, [...(byScopes.get(key) ?? []), entry.method.path]);
    }
    const plain = access.filter((entry) => !entry.public && entry.scopes.length === 0).map((entry) => entry.method.path);
    // Nothing per method: callers may call anything on the port (health and reflection included).
    if (byScopes.size === 0 && publicPaths.length === 0) rules.push({ from });
    else if (plain.length > 0 || byScopes.size > 0) rules.push({ from, to: [{ operation: { paths: [...plain, ...HEALTH_PATHS] } }] });
    for (const [scopes, paths] of byScopes) {
      rules.push({ from, to: [{ operation: { paths } }], when: scopes.split(' ').map((scope) => ({ key: SCOPE_CLAIM, values: [scope] })) });
    }
  }
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: metadata(target),
    spec: { selector: { matchLabels: selectorLabels(target) }, action: 'ALLOW', rules },
  };
}

import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { Caller, ExternalCaller } from './callers.js';
import { metadata, selectorLabels } from './labels.js';
import type { DeployTarget } from './target.js';

type IngressRule = NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number];

/**
 * Ingress to the service's ports only from the pods of the services whose
 * descriptors list it under [dependencies] (and `[deploy] allow_from`
 * namespaces). With no caller at all there is no rule for those ports: an
 * empty `from` would mean "everyone". The metrics port stays open to any pod
 * (scrapers are not callers, and it serves no data).
 */
export function networkPolicy(target: DeployTarget, callers: readonly Caller[], external: readonly ExternalCaller[]): INetworkPolicy {
  const servicePorts = [{ protocol: 'TCP' as const, port: 'grpc' }, ...(target.httpPort === null ? [] : [{ protocol: 'TCP' as const, port: 'http' }])];
  const from = [
    ...callers.map((caller) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/name': caller.name } } })),
    ...[...new Set(external.map((caller) => caller.namespace))].sort().map((namespace) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } })),
  ];
  const ingress: IngressRule[] = [];
  if (from.length > 0) ingress.push({ from, ports: servicePorts });
  if (target.metricsPort !== null) ingress.push({ ports: [{ protocol: 'TCP', port: 'metrics' }] });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(target),
    spec: { podSelector: { matchLabels: selectorLabels(target) }, policyTypes: ['Ingress'], ingress },
  };
}

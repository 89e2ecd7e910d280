import type { DeployTarget } from './target.js';

/** What selects the pods: one stable label, never the version (a selector cannot change after creation). */
export function selectorLabels(target: DeployTarget): Record<string, string> {
  return { 'app.kubernetes.io/name': target.name };
}

/** Pod labels: the selector's, plus `app` and `version`, which Istio's telemetry reads. */
export function podLabels(target: DeployTarget): Record<string, string> {
  return { ...commonLabels(target), app: target.name, version: target.config.service.version };
}

function commonLabels(target: DeployTarget): Record<string, string> {
  return { ...selectorLabels(target), 'app.kubernetes.io/version': target.config.service.version, 'app.kubernetes.io/managed-by': 'tusk-grpc' };
}

/** The metadata of every object of a service (`name` for objects named otherwise). */
export function metadata(target: DeployTarget, name: string = target.name): { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } {
  return { name, namespace: target.namespace, labels: commonLabels(target), annotations: { 'tusk-grpc.dev/service': target.service } };
}

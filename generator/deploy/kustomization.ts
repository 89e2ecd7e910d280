/** `kubectl apply -k <folder>`: the folder's manifests, in a fixed order. */
export function kustomization(resources: readonly string[]): Record<string, unknown> {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] };
}

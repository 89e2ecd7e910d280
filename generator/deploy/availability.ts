import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { metadata, selectorLabels } from './labels.js';
import type { DeployTarget } from './target.js';

/** Node drains take at most `max_unavailable` pods at once; the rest keep serving. */
export function podDisruptionBudget(target: DeployTarget): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(target),
    spec: { maxUnavailable: target.deploy.maxUnavailable, selector: { matchLabels: selectorLabels(target) } },
  };
}

/** autoscaling/v2 (not the removed v2beta2) on CPU utilisation, a share of the CPU request. */
export function horizontalPodAutoscaler(target: DeployTarget): IHorizontalPodAutoscaler {
  const { minReplicas, maxReplicas, targetCpu } = target.deploy.autoscaling;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(target),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name },
      minReplicas,
      maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCpu } } }],
    },
  };
}

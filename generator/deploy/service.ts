import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { metadata, selectorLabels } from './labels.js';
import type { DeployTarget } from './target.js';

/**
 * Every port named, with appProtocol, so Istio (and any L7 proxy) treats the
 * gRPC port as HTTP/2 gRPC rather than opaque TCP.
 */
export function service(target: DeployTarget): IService {
  const ports = [{ name: 'grpc', port: target.grpcPort, targetPort: 'grpc', protocol: 'TCP' as const, appProtocol: 'grpc' }];
  if (target.metricsPort !== null) ports.push({ name: 'metrics', port: target.metricsPort, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' });
  if (target.httpPort !== null) ports.push({ name: 'http', port: target.httpPort, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(target),
    spec: { type: 'ClusterIP', selector: selectorLabels(target), ports },
  };
}

/** The pods' identity: what NetworkPolicy peers and Istio principals (cluster.local/ns/NS/sa/NAME) name. */
export function serviceAccount(target: DeployTarget): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(target, target.serviceAccount),
    // A gRPC service has no business with the Kubernetes API.
    automountServiceAccountToken: false,
  };
}

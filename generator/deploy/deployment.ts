import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IIoK8sApiCoreV1EnvVar as EnvVar, IIoK8sApiCoreV1Probe as Probe } from 'kubernetes-models/v1';
import { metadata, selectorLabels, podLabels } from './labels.js';
import type { DeployTarget } from './target.js';

/** Where a `[deploy] tls_secret` is mounted, and the contract variables that name its files. */
export const TLS_MOUNT = '/etc/tusk/tls';
const TLS_ENV: readonly [string, string][] = [['TUSK_TLS_CERT', 'tls.crt'], ['TUSK_TLS_KEY', 'tls.key'], ['TUSK_TLS_CA', 'ca.crt']];
/** The `node` user of the official Node images: the image needs no user of its own. */
const NODE_UID = 1000;
/** Time for the kubelet to deliver SIGTERM and for the process to exit after its last call. */
const EXIT_MARGIN_S = 5;

/**
 * Seconds the kubelet waits after SIGTERM before SIGKILL: above the drain
 * delay (health NOT_SERVING, still serving while endpoints update) plus the
 * shutdown grace in-flight calls get, so a rolling update never cuts a call.
 */
export function terminationGraceSeconds(target: DeployTarget): number {
  return Math.ceil((target.drainMs + target.config.server.shutdownGraceMs) / 1000) + EXIT_MARGIN_S;
}

/**
 * Native gRPC probes (Kubernetes 1.27+) against grpc.health.v1 with the
 * service's own name, which TuskServer registers (SERVING once started,
 * NOT_SERVING while draining). The kubelet's gRPC probe speaks plaintext
 * only, so a TLS server is probed on the metrics port's /healthz instead.
 */
function probes(target: DeployTarget): { readonly startupProbe: Probe; readonly readinessProbe: Probe; readonly livenessProbe: Probe } {
  const check = target.deploy.tlsSecret === null
    ? { grpc: { port: target.grpcPort, service: target.service } }
    : { httpGet: { path: '/healthz', port: 'metrics' } };
  return {
    startupProbe: { ...check, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
    readinessProbe: { ...check, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
    livenessProbe: { ...check, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
  };
}

function environment(target: DeployTarget): EnvVar[] {
  const env: EnvVar[] = [
    { name: 'NODE_ENV', value: 'production' },
    // The address other pods reach this one on, written to the registry.
    { name: 'TUSK_ADVERTISE_HOST', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ...target.env,
  ];
  if (target.deploy.tlsSecret !== null) {
    for (const [name, file] of TLS_ENV) env.push({ name, value: `${TLS_MOUNT}/${file}` });
    env.push({ name: 'TUSK_TLS_CLIENT_AUTH', value: target.deploy.tlsClientAuth });
  }
  return env;
}

function ports(target: DeployTarget): { name: string; containerPort: number; protocol: 'TCP' }[] {
  const list = [{ name: 'grpc', containerPort: target.grpcPort, protocol: 'TCP' as const }];
  if (target.metricsPort !== null) list.push({ name: 'metrics', containerPort: target.metricsPort, protocol: 'TCP' });
  if (target.httpPort !== null) list.push({ name: 'http', containerPort: target.httpPort, protocol: 'TCP' });
  return list;
}

function resources(target: DeployTarget): { requests: Record<string, string>; limits?: Record<string, string> } {
  const { cpuRequest, memoryRequest, cpuLimit, memoryLimit } = target.deploy.resources;
  const pick = (entries: [string, string | null][]): Record<string, string> => Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== null));
  const limits = pick([['cpu', cpuLimit], ['memory', memoryLimit]]);
  return { requests: pick([['cpu', cpuRequest], ['memory', memoryRequest]]), ...(Object.keys(limits).length > 0 ? { limits } : {}) };
}

export function deployment(target: DeployTarget): IDeployment {
  const tls = target.deploy.tlsSecret;
  const spread = (topologyKey: string) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: selectorLabels(target) } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(target),
    spec: {
      // No replicas: the HorizontalPodAutoscaler owns the count, and a re-apply must not reset it.
      selector: { matchLabels: selectorLabels(target) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: podLabels(target) },
        spec: {
          serviceAccountName: target.serviceAccount,
          terminationGracePeriodSeconds: terminationGraceSeconds(target),
          securityContext: { runAsNonRoot: true, runAsUser: NODE_UID, runAsGroup: NODE_UID, fsGroup: NODE_UID, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')],
          containers: [
            {
              name: target.name,
              image: target.image,
              imagePullPolicy: 'IfNotPresent',
              ports: ports(target),
              env: environment(target),
              resources: resources(target),
              ...probes(target),
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...(tls === null ? [] : [{ name: 'tls', mountPath: TLS_MOUNT, readOnly: true }]),
              ],
            },
          ],
          volumes: [
            // The root filesystem is read-only; Node and its libraries may still want a scratch folder.
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ...(tls === null ? [] : [{ name: 'tls', secret: { secretName: tls, defaultMode: 0o440 } }]),
          ],
        },
      },
    },
  };
}

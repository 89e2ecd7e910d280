import type { BlockSpec, LeafSpec } from './schema-types.js';

/**
 * `[deploy]`: what only `tusk-grpc deploy` reads (Kubernetes manifests and the
 * Dockerfile); a running process ignores it. Everything else a manifest needs
 * (ports, health, drain time, timeouts, retries, breakers, dependencies) comes
 * from the other sections, so the .tsk stays the one source.
 */

const PORT = { kind: 'number', integer: true, min: 1, max: 65535 } as const;
/** A Kubernetes resource quantity such as "250m", "0.5", "128Mi", "1G". */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
/** RFC 1035 label: what Kubernetes accepts as a Service name. */
const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const quantity = (fallback: string | null, example: string, meaning: string): LeafSpec => ({
  kind: 'leaf',
  type: { kind: 'string', nonEmpty: true },
  nullable: true,
  default: fallback,
  check: (value) => (QUANTITY.test(value as string) ? undefined : 'is not a Kubernetes quantity such as "250m" or "256Mi"'),
  example,
  meaning,
});

const dnsLabel = (meaning: string, example: string): LeafSpec => ({
  kind: 'leaf',
  type: { kind: 'string', nonEmpty: true },
  nullable: true,
  default: null,
  check: (value) => (DNS_LABEL.test(value as string) ? undefined : 'is not a Kubernetes name (lower-case letters, digits and "-", at most 63, starting with a letter)'),
  example,
  meaning,
});

export const DEPLOY_SECTION: BlockSpec = {
  kind: 'block',
  meaning: 'Kubernetes deployment (read by tusk-grpc deploy only)',
  keys: {
    name: dnsLabel('name of the Deployment, Service and pods; null = the service name in kebab case without its package ("user-service")', '"users"'),
    image: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, nullable: true, default: null, example: '"ghcr.io/acme/user-service:1.4.0"', meaning: 'container image; --image overrides it; one of the two is required' },
    port: { kind: 'leaf', type: PORT, nullable: true, default: null, example: '50051', meaning: 'container gRPC port when [service] port is an @env (given to the process through that variable); null = [service] port' },
    metrics_port: { kind: 'leaf', type: PORT, nullable: true, default: null, example: '9464', meaning: 'metrics port when [telemetry] metrics_port is an @env (given through that variable); null = [telemetry] metrics_port' },
    http_port: { kind: 'leaf', type: PORT, nullable: true, default: null, example: '8080', meaning: 'an HTTP port the process also serves (a gateway), published as port "http"; null = none' },
    service_account: dnsLabel('Kubernetes ServiceAccount of the pods, the identity callers are allowed by; null = the name', '"user-service"'),
    discovery: {
      kind: 'leaf', type: { kind: 'enum', values: ['etcd', 'static'] }, nullable: true, default: null, example: '"etcd"',
      meaning: 'TUSK_DISCOVERY in the pods; null = "etcd", or "static" with --mesh istio (the mesh balances; clients dial the Service)',
    },
    etcd_endpoints: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: ['etcd:2379'], example: '["etcd-0.etcd:2379", "etcd-1.etcd:2379"]', meaning: 'TUSK_ETCD_ENDPOINTS in the pods when discovery is etcd' },
    tls_secret: dnsLabel('a Secret with tls.crt, tls.key and ca.crt mounted read-only and named by TUSK_TLS_CERT, TUSK_TLS_KEY and TUSK_TLS_CA; null = no TLS env', '"user-service-tls"'),
    tls_client_auth: { kind: 'leaf', type: { kind: 'enum', values: ['none', 'request', 'require'] }, default: 'require', example: '"request"', meaning: 'TUSK_TLS_CLIENT_AUTH when tls_secret is set ("require" = mTLS)' },
    allow_from: {
      kind: 'leaf',
      type: { kind: 'string', nonEmpty: true },
      list: true,
      default: [],
      check: (value) => (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(value as string) ? undefined : 'is not "namespace/serviceaccount"'),
      example: '["istio-system/istio-ingressgateway-service-account"]',
      meaning: 'callers besides the services whose [dependencies] name this one (an ingress gateway), as namespace/serviceaccount',
    },
    command: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: ['node', 'dist/src/main.js'], example: '["node", "dist/server.js"]', meaning: 'what the container runs (the Dockerfile\'s CMD); the default is what tusk-grpc init\'s npm start runs' },
    base_image: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: 'node:20-bookworm-slim', example: '"node:22-bookworm-slim"', meaning: 'the Dockerfile\'s build and runtime base' },
    resources: {
      kind: 'block',
      meaning: 'container resources (requests drive the autoscaler\'s CPU target)',
      keys: {
        cpu_request: quantity('100m', '"250m"', 'CPU requested'),
        memory_request: quantity('128Mi', '"256Mi"', 'memory requested'),
        cpu_limit: quantity(null, '"1"', 'CPU limit; null = none (throttling hurts tail latency more than it saves)'),
        memory_limit: quantity('256Mi', '"512Mi"', 'memory limit; null = none'),
      },
    },
    autoscaling: {
      kind: 'block',
      meaning: 'autoscaling/v2 HorizontalPodAutoscaler on CPU; it owns the replica count (the Deployment sets none, so a re-apply never resets it)',
      keys: {
        min_replicas: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 2, example: '3', meaning: 'fewest pods' },
        max_replicas: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 10, example: '20', meaning: 'most pods' },
        target_cpu: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1, max: 100 }, default: 70, example: '60', meaning: 'average CPU utilisation (% of the request) to keep' },
      },
      crossCheck: (get) => {
        const min = get('min_replicas');
        const max = get('max_replicas');
        return typeof min === 'number' && typeof max === 'number' && min > max ? { key: 'min_replicas', problem: `is above max_replicas (${max})` } : undefined;
      },
    },
    env: {
      kind: 'map',
      entryName: 'variable',
      entry: { kind: 'leaf', type: { kind: 'metadata' }, example: '"1"', meaning: 'value of the variable in the pods' },
      meaning: 'more environment variables of the container, e.g. for keys written as @env("NAME", default)',
    },
    max_unavailable: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 1, example: '2', meaning: 'PodDisruptionBudget: pods a voluntary disruption (node drain) may take at once' },
  },
};

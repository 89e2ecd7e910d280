import { readFileSync } from 'node:fs';
import { ConfigError, resolveDescriptor } from '../../src/config/index.js';
import type { DeploySection, MethodKind, RawDescriptor, RawValue, ResolvedDescriptor } from '../../src/config/index.js';
import { keyPosition } from '../../src/config/load-descriptor.js';
import { resolveValue } from '../../src/config/resolve-value.js';
import { DEPLOY_SECTION } from '../../src/config/schema-deploy.js';
import { isRawEnvRef, parseTsk } from '../../src/tsk/index.js';
import type { TskDocument } from '../../src/tsk/index.js';
import type { ServiceConfig } from '../descriptors.js';
import type { LocatedIssue } from '../errors.js';
import type { ProtoServices } from '../image.js';

/** One RPC as the mesh sees it. */
export interface DeployMethod {
  readonly name: string;
  readonly kind: MethodKind;
  /** The HTTP/2 path, `/<full service name>/<Method>`. */
  readonly path: string;
}

/** Everything the manifests of one service are built from, checked: a manifest builder never fails. */
export interface DeployTarget {
  /** Full proto name, e.g. "user.v1.UserService": also the grpc.health.v1 name TuskServer registers. */
  readonly service: string;
  /** The .tsk as shown to the user, for the generated files' headers. */
  readonly descriptorFile: string;
  /** Kubernetes name of the Deployment, Service, pods. */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly serviceAccount: string;
  readonly grpcPort: number;
  readonly metricsPort: number | null;
  readonly httpPort: number | null;
  /** Environment of the container, in a fixed order (TUSK_ADVERTISE_HOST comes from the pod IP). */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  /** Registry propagation time the server waits on stop before closing (its drain delay), ms. */
  readonly drainMs: number;
  readonly config: ResolvedDescriptor;
  readonly deploy: DeploySection;
  readonly discovery: 'etcd' | 'static';
  readonly methods: readonly DeployMethod[];
  /** The raw [methods] section, read defensively for keys other sections add (`public`, `scopes`). */
  readonly rawMethods: Readonly<Record<string, RawValue>>;
  /** The raw descriptor, for sections another branch adds ([auth]). */
  readonly raw: RawDescriptor;
  /** An issue at a key of this service's .tsk (or the nearest written ancestor). */
  readonly issueAt: (keys: readonly string[], message: string) => LocatedIssue;
}

export interface TargetOptions {
  readonly namespace: string;
  /** --image; may hold `{name}` for each service's Kubernetes name. */
  readonly image: string | undefined;
  readonly mesh: 'istio' | undefined;
}

/** Where problems are reported: positions come from the .tsk itself, parsed once more. */
class DescriptorPlaces {
  private readonly doc: TskDocument;

  constructor(readonly file: string, sourcePath: string) {
    this.doc = parseTsk(readFileSync(sourcePath, 'utf8'), file);
  }

  issue(keys: readonly string[], message: string): LocatedIssue {
    // The key itself, else the nearest written ancestor, else the file as a whole.
    for (let depth = keys.length; depth > 0; depth--) {
      const at = keyPosition(this.doc, keys.slice(0, depth));
      if (at !== undefined) {
        const [line, column] = at.split(':').map(Number);
        return { file: this.file, line, column, message };
      }
    }
    return { file: this.file, message };
  }
}

const LOOPBACK = /^(127\.|localhost$|::1$)/;
/** How long the registry takes to tell watchers (the server's drain delay when [server] drain_delay is null). */
const REGISTRY_PROPAGATION_MS: Readonly<Record<string, number>> = { etcd: 1000, static: 0 };

/** The raw value at a path of .tsk keys; undefined when absent. */
export function rawAt(raw: RawDescriptor, keys: readonly string[]): RawValue | undefined {
  let value: RawValue | undefined = raw as RawValue;
  for (const key of keys) {
    if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value) || isRawEnvRef(value)) return undefined;
    value = (value as Record<string, RawValue>)[key];
  }
  return value;
}

/** `@env("NAME", …)`'s variable when the key is written as one; undefined for a literal or an absent key. */
export function envVariable(raw: RawDescriptor, ...keys: string[]): string | undefined {
  const value = rawAt(raw, keys);
  return value !== undefined && isRawEnvRef(value) ? value['@env'] : undefined;
}

/**
 * Reads one service's descriptor as a Deployment needs it. `@env` values take
 * their defaults: the output is the same on every machine, whatever the
 * environment of the command (per-run values come from --image, --namespace).
 */
export function buildTarget(
  service: string,
  entry: ServiceConfig & { readonly sourcePath: string },
  shownFile: string,
  proto: ProtoServices['services'][number],
  options: TargetOptions,
  issues: LocatedIssue[],
): DeployTarget | undefined {
  const places = new DescriptorPlaces(shownFile, entry.sourcePath);
  const raw = entry.config;
  let config: ResolvedDescriptor;
  let deploy: DeploySection;
  try {
    config = resolveDescriptor(raw, shownFile, service, {});
    deploy = resolveValue(DEPLOY_SECTION, raw.deploy, { section: 'deploy', path: [] }, { source: shownFile, env: {} }, false) as DeploySection;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [line, column] = (error.at ?? '').split(':').map(Number);
    const message = `${error.message.slice(error.message.indexOf(error.where))} (deploy reads each @env's default: give it one)`;
    issues.push(line ? { file: shownFile, line, column, message } : { file: shownFile, message });
    return undefined;
  }
  const before = issues.length;
  const name = deploy.name ?? kebabName(service);
  const env: { name: string; value: string }[] = [];

  const grpcPort = fixedPort(raw, places, env, issues, {
    section: 'service', key: 'port', declared: config.service.port, override: deploy.port, overrideKey: 'port', what: 'gRPC',
  });
  const metricsPort = config.telemetry.metricsPort === null && deploy.metricsPort === null ? null : fixedPort(raw, places, env, issues, {
    section: 'telemetry', key: 'metrics_port', declared: config.telemetry.metricsPort ?? 0, override: deploy.metricsPort, overrideKey: 'metrics_port', what: 'metrics',
  });

  const hostVariable = envVariable(raw, 'service', 'host');
  if (hostVariable !== undefined) env.push({ name: hostVariable, value: '0.0.0.0' });
  else if (LOOPBACK.test(config.service.host)) {
    issues.push(places.issue(['service', 'host'], `[service] host ${JSON.stringify(config.service.host)} is loopback: nothing outside the pod could reach it; bind "0.0.0.0", or write @env("…_HOST", "127.0.0.1") so deploy can set it`));
  }

  const discovery = deploy.discovery ?? (options.mesh === 'istio' ? 'static' : 'etcd');
  env.push({ name: 'TUSK_DISCOVERY', value: discovery });
  if (discovery === 'etcd') env.push({ name: 'TUSK_ETCD_ENDPOINTS', value: deploy.etcdEndpoints.join(',') });

  const image = imageOf(options.image, deploy.image, name);
  if (image === undefined) issues.push(places.issue(['deploy', 'image'], `${service} has no container image: set [deploy] image, or pass --image REPO:TAG`));
  if (deploy.tlsSecret !== null && metricsPort === null) {
    issues.push(places.issue(['deploy', 'tls_secret'], 'a TLS-only server cannot be probed by the kubelet\'s gRPC probe (it speaks plaintext): set [telemetry] metrics_port, whose /healthz the probes use then'));
  }
  if (deploy.resources.cpuRequest === null) {
    issues.push(places.issue(['deploy', 'resources', 'cpu_request'], 'the autoscaler\'s CPU target is a share of the CPU request: cpu_request cannot be null'));
  }
  if (issues.length > before || image === undefined) return undefined;
  return {
    service,
    descriptorFile: shownFile,
    name,
    namespace: options.namespace,
    image,
    serviceAccount: deploy.serviceAccount ?? name,
    grpcPort,
    metricsPort,
    httpPort: deploy.httpPort,
    env,
    drainMs: config.server.drainDelayMs ?? REGISTRY_PROPAGATION_MS[discovery]!,
    config,
    deploy,
    discovery,
    methods: proto.methods.map((method) => ({ name: method.name, kind: method.kind, path: `/${service}/${method.name}` })),
    rawMethods: (raw.methods ?? {}) as Record<string, RawValue>,
    raw,
    issueAt: (keys, message) => places.issue(keys, message),
  };
}

interface PortRule {
  readonly section: string;
  readonly key: string;
  /** The key's value with @env defaults (0 = any free port). */
  readonly declared: number;
  readonly override: number | null;
  readonly overrideKey: string;
  readonly what: string;
}

/**
 * A container port must be known before the pod starts: the literal port, or
 * [deploy]'s choice handed to the process through the key's @env variable.
 */
function fixedPort(raw: RawDescriptor, places: DescriptorPlaces, env: { name: string; value: string }[], issues: LocatedIssue[], rule: PortRule): number {
  const variable = envVariable(raw, rule.section, rule.key);
  if (rule.override !== null) {
    if (variable !== undefined) {
      env.push({ name: variable, value: String(rule.override) });
      return rule.override;
    }
    if (rule.declared !== 0 && rule.declared !== rule.override) {
      issues.push(places.issue(['deploy', rule.overrideKey], `[deploy] ${rule.overrideKey} ${rule.override} differs from [${rule.section}] ${rule.key} ${rule.declared}, which the server binds: write one of them, or make [${rule.section}] ${rule.key} an @env`));
    }
    if (rule.declared === 0) {
      issues.push(places.issue([rule.section, rule.key], `[${rule.section}] ${rule.key} is not an @env, so [deploy] ${rule.overrideKey} cannot reach the process: write ${rule.key}: @env("…_PORT", ${rule.section === 'telemetry' ? 'null' : '0'}) there`));
    }
    return rule.override;
  }
  if (rule.declared === 0) {
    const how = variable === undefined ? `write a fixed [${rule.section}] ${rule.key}` : `set [deploy] ${rule.overrideKey} (given to the process as ${variable})`;
    issues.push(places.issue([rule.section, rule.key], `a Deployment needs a fixed ${rule.what} port, and [${rule.section}] ${rule.key} is 0 (any free port): ${how}`));
  }
  return rule.declared;
}

function imageOf(fromCommandLine: string | undefined, fromDescriptor: string | null, name: string): string | undefined {
  const image = fromCommandLine ?? fromDescriptor ?? undefined;
  return image?.replaceAll('{name}', name);
}

/** "user.v1.UserService" → "user-service": the last part of the name, which Kubernetes allows. */
export function kebabName(service: string): string {
  const last = service.slice(service.lastIndexOf('.') + 1);
  return last.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
}

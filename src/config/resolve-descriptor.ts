import { installOneLineFatal } from '../status/fatal.js';
import { ConfigError } from './config-error.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import { loadDescriptor } from './load-descriptor.js';
import { applyAuthEnv } from './auth-env.js';
import { applyDiscoveryEnv, applyEventsEnv, applyServiceEnv, applyTelemetryEnv, applyTlsEnv } from './env-overrides.js';
import { resolveValue, type ResolveContext } from './resolve-value.js';
import { DESCRIPTOR_SCHEMA } from './schema.js';
import type { ServiceDescriptor } from './service-definition.js';
import type {
  AuthSection, ClientPolicy, DependencyPolicy, DiscoverySection, EventsSection, MethodPolicy, RawDescriptor, ResolvedDescriptor, ServerSection, ServiceSection, SubscriptionPolicy, TelemetrySection, TlsSection,
} from './types.js';

const SECTION_NAMES = Object.keys(DESCRIPTOR_SCHEMA);

/**
 * What a descriptor means in this process: `@env` read (coerced to each key's
 * type), defaults applied, then TUSK_DISCOVERY, TUSK_ETCD_ENDPOINTS (when the
 * provider is etcd), TUSK_ADVERTISE_HOST and TUSK_LOG_LEVEL. An empty
 * variable counts as unset. Throws ConfigError naming file, key and variable.
 */
export function resolveDescriptor(raw: RawDescriptor, source: string | null, serviceName: string, env: NodeJS.ProcessEnv = process.env): ResolvedDescriptor {
  const label = source ?? `${serviceName} (no .tsk)`;
  const ctx: ResolveContext = { source: label, env };
  for (const name of Object.keys(raw)) {
    if (!Object.hasOwn(DESCRIPTOR_SCHEMA, name)) throw new ConfigError(label, `[${name}]`, `unknown section${didYouMeanSuffix(name, SECTION_NAMES)}`);
  }
  const section = <T>(name: string): T =>
    resolveValue(DESCRIPTOR_SCHEMA[name]!, Object.hasOwn(raw, name) ? raw[name] : undefined, { section: name, path: [] }, ctx, false) as T;

  const service = section<Omit<ServiceSection, 'name'>>('service');
  const methods = section<Record<string, Omit<MethodPolicy, 'idempotent'> & { idempotent?: boolean }>>('methods');
  return {
    source,
    service: applyServiceEnv({ ...service, name: serviceName }, env, label),
    discovery: applyDiscoveryEnv(section<DiscoverySection>('discovery'), env, label),
    server: section<ServerSection>('server'),
    client: section<ClientPolicy>('client'),
    methods: Object.fromEntries(Object.entries(methods).map(([name, policy]) => [name, { ...policy, idempotent: policy.idempotent ?? false }])),
    dependencies: byServiceName(section<Record<string, Omit<DependencyPolicy, 'alias'>>>('dependencies'), label),
    telemetry: applyTelemetryEnv(section<TelemetrySection>('telemetry'), env, label),
    tls: applyTlsEnv(section<TlsSection>('tls'), env, label),
    auth: applyAuthEnv(section<AuthSection | null>('auth'), env, label),
    events: applyEventsEnv(section<EventsSection>('events'), env, label),
    subscriptions: section<Record<string, SubscriptionPolicy>>('subscriptions'),
  };
}

/** [dependencies] is written by alias; the runtime looks entries up by the service they target. */
function byServiceName(byAlias: Record<string, Omit<DependencyPolicy, 'alias'>>, label: string): Record<string, DependencyPolicy> {
  const out: Record<string, DependencyPolicy> = {};
  for (const [alias, policy] of Object.entries(byAlias)) {
    const previous = out[policy.service];
    if (previous) throw new ConfigError(label, `[dependencies] ${alias}`, `service ${JSON.stringify(policy.service)} is already configured by ${previous.alias}`);
    out[policy.service] = { alias, ...policy };
  }
  return out;
}

const cache = new WeakMap<ServiceDescriptor, ResolvedDescriptor>();

/**
 * The resolved config of a generated (or hand-built) descriptor, from its .tsk
 * when present, else its embedded values (load-descriptor.ts). Resolved
 * once per descriptor object when reading process.env, so every client and
 * server of a process sees the same values. The first call installs the
 * one-line fatal handler: an uncaught ConfigError prints `file:line:col: ...`
 * and exits 1, with no stack.
 */
export function resolveServiceConfig(descriptor: ServiceDescriptor, env: NodeJS.ProcessEnv = process.env): ResolvedDescriptor {
  installOneLineFatal();
  const { raw, source } = loadDescriptor(descriptor);
  if (env !== process.env) return resolveDescriptor(raw, source, descriptor.name, env);
  let resolved = cache.get(descriptor);
  if (!resolved) {
    resolved = resolveDescriptor(raw, source, descriptor.name, env);
    cache.set(descriptor, resolved);
  }
  return resolved;
}

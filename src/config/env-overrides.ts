import { ConfigError } from './config-error.js';
import { envText } from './resolve-value.js';
import { coerceEnvValue } from './scalar-check.js';
import { DESCRIPTOR_SCHEMA } from './schema.js';
import type { BlockSpec, LeafSpec } from './schema-types.js';
import type { DiscoverySection, ServiceSection, TelemetrySection, TlsSection } from './types.js';

/** The contract variables (DESIGN.md) and the key each overrides. */
export const ENV_OVERRIDES = {
  TUSK_DISCOVERY: ['discovery', 'provider'],
  TUSK_ETCD_ENDPOINTS: ['discovery', 'endpoints'],
  TUSK_ADVERTISE_HOST: ['service', 'advertise_host'],
  TUSK_LOG_LEVEL: ['telemetry', 'log_level'],
  TUSK_TLS_CERT: ['tls', 'cert'],
  TUSK_TLS_KEY: ['tls', 'key'],
  TUSK_TLS_CA: ['tls', 'ca'],
  TUSK_TLS_CLIENT_AUTH: ['tls', 'client_auth'],
  // Not in DESIGN.md's list: lets one demo or test run keep its local registry private.
  TUSK_REGISTRY_DIR: ['discovery', 'dir'],
} as const;

type OverrideVariable = keyof typeof ENV_OVERRIDES;

/** The variable's value checked as its key's type; undefined when unset or empty. */
function readOverride(variable: OverrideVariable, env: NodeJS.ProcessEnv, source: string): unknown {
  const text = envText(env, variable);
  if (text === undefined) return undefined;
  const [section, key] = ENV_OVERRIDES[variable];
  const spec = (DESCRIPTOR_SCHEMA[section] as BlockSpec).keys[key] as LeafSpec;
  const checked = coerceEnvValue(spec, text);
  if (!checked.ok) throw new ConfigError(source, `[${section}] ${key}`, `${variable}=${JSON.stringify(text)} ${checked.problem}`, variable);
  return checked.value;
}

/** TUSK_DISCOVERY, then TUSK_ETCD_ENDPOINTS when the provider (after that) is etcd; TUSK_REGISTRY_DIR always (only the local provider reads it). */
export function applyDiscoveryEnv(discovery: DiscoverySection, env: NodeJS.ProcessEnv, source: string): DiscoverySection {
  const provider = (readOverride('TUSK_DISCOVERY', env, source) as DiscoverySection['provider'] | undefined) ?? discovery.provider;
  const etcdEndpoints = provider === 'etcd' ? (readOverride('TUSK_ETCD_ENDPOINTS', env, source) as string[] | undefined) : undefined;
  const dir = (readOverride('TUSK_REGISTRY_DIR', env, source) as string | undefined) ?? discovery.dir;
  return { ...discovery, provider, endpoints: etcdEndpoints ?? discovery.endpoints, dir };
}

/** TUSK_ETCD_ENDPOINTS alone: for a provider switched to etcd by an override layer. */
export function etcdEndpointsFromEnv(env: NodeJS.ProcessEnv, source: string): readonly string[] | undefined {
  return readOverride('TUSK_ETCD_ENDPOINTS', env, source) as string[] | undefined;
}

export function applyServiceEnv(service: ServiceSection, env: NodeJS.ProcessEnv, source: string): ServiceSection {
  const advertiseHost = readOverride('TUSK_ADVERTISE_HOST', env, source) as string | undefined;
  return advertiseHost === undefined ? service : { ...service, advertiseHost };
}

export function applyTelemetryEnv(telemetry: TelemetrySection, env: NodeJS.ProcessEnv, source: string): TelemetrySection {
  const logLevel = readOverride('TUSK_LOG_LEVEL', env, source) as string | undefined;
  return logLevel === undefined ? telemetry : { ...telemetry, logLevel };
}

/** TUSK_TLS_CERT, TUSK_TLS_KEY, TUSK_TLS_CA and TUSK_TLS_CLIENT_AUTH, each replacing its [tls] key. */
export function applyTlsEnv(tls: TlsSection, env: NodeJS.ProcessEnv, source: string): TlsSection {
  const cert = readOverride('TUSK_TLS_CERT', env, source) as string | undefined;
  const key = readOverride('TUSK_TLS_KEY', env, source) as string | undefined;
  const ca = readOverride('TUSK_TLS_CA', env, source) as string | undefined;
  const clientAuth = readOverride('TUSK_TLS_CLIENT_AUTH', env, source) as TlsSection['clientAuth'] | undefined;
  return { ...tls, cert: cert ?? tls.cert, key: key ?? tls.key, ca: ca ?? tls.ca, clientAuth: clientAuth ?? tls.clientAuth };
}

import { ConfigError } from './config-error.js';
import { envText } from './resolve-value.js';
import { coerceEnvValue } from './scalar-check.js';
import { DESCRIPTOR_SCHEMA } from './schema.js';
import type { BlockSpec, KeySpec, LeafSpec } from './schema-types.js';
import type { DiscoverySection, EtcdTlsFiles, EventsSection, ServiceSection, TelemetrySection, TlsSection } from './types.js';

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
  // Securing etcd (issue 11); the password's value never appears in an error.
  TUSK_ETCD_CA: ['discovery', 'tls', 'ca'],
  TUSK_ETCD_CERT: ['discovery', 'tls', 'cert'],
  TUSK_ETCD_KEY: ['discovery', 'tls', 'key'],
  TUSK_ETCD_USERNAME: ['discovery', 'username'],
  TUSK_ETCD_PASSWORD: ['discovery', 'password'],
  // Events (issue 14); TUSK_EVENTS_DIR keeps a test's or demo's local events private, like TUSK_REGISTRY_DIR.
  TUSK_EVENTS: ['events', 'broker'],
  TUSK_NATS_SERVERS: ['events', 'servers'],
  TUSK_EVENTS_DIR: ['events', 'dir'],
} as const;

type OverrideVariable = keyof typeof ENV_OVERRIDES;

/** The variable's value checked as its key's type; undefined when unset or empty. */
function readOverride(variable: OverrideVariable, env: NodeJS.ProcessEnv, source: string): unknown {
  const text = envText(env, variable);
  if (text === undefined) return undefined;
  const [section, ...keys] = ENV_OVERRIDES[variable];
  let spec: KeySpec = DESCRIPTOR_SCHEMA[section]!;
  for (const key of keys) spec = (spec as BlockSpec).keys[key]!;
  const checked = coerceEnvValue(spec as LeafSpec, text);
  const shown = (spec as LeafSpec).secret ? '<hidden>' : JSON.stringify(text);
  if (!checked.ok) throw new ConfigError(source, `[${section}] ${keys.join('.')}`, `${variable}=${shown} ${checked.problem}`, variable);
  return checked.value;
}

/** TUSK_DISCOVERY, then TUSK_ETCD_ENDPOINTS when the provider (after that) is etcd; TUSK_REGISTRY_DIR always (only the local provider reads it). */
export function applyDiscoveryEnv(discovery: DiscoverySection, env: NodeJS.ProcessEnv, source: string): DiscoverySection {
  const provider = (readOverride('TUSK_DISCOVERY', env, source) as DiscoverySection['provider'] | undefined) ?? discovery.provider;
  const etcdEndpoints = provider === 'etcd' ? (readOverride('TUSK_ETCD_ENDPOINTS', env, source) as string[] | undefined) : undefined;
  const dir = (readOverride('TUSK_REGISTRY_DIR', env, source) as string | undefined) ?? discovery.dir;
  return applyEtcdSecurityEnv({ ...discovery, provider, endpoints: etcdEndpoints ?? discovery.endpoints, dir }, env, source);
}

/** TUSK_ETCD_CA/CERT/KEY (any of them turns TLS on), TUSK_ETCD_USERNAME and TUSK_ETCD_PASSWORD, each over its key. */
function applyEtcdSecurityEnv(discovery: DiscoverySection, env: NodeJS.ProcessEnv, source: string): DiscoverySection {
  const read = (variable: OverrideVariable): string | undefined => readOverride(variable, env, source) as string | undefined;
  const [ca, cert, key] = [read('TUSK_ETCD_CA'), read('TUSK_ETCD_CERT'), read('TUSK_ETCD_KEY')];
  const [username, password] = [read('TUSK_ETCD_USERNAME'), read('TUSK_ETCD_PASSWORD')];
  if ([ca, cert, key, username, password].every((value) => value === undefined)) return discovery;
  const base: EtcdTlsFiles | null = discovery.tls ?? null;
  const tls = ca === undefined && cert === undefined && key === undefined
    ? base
    : { ca: ca ?? base?.ca ?? null, cert: cert ?? base?.cert ?? null, key: key ?? base?.key ?? null };
  return { ...discovery, tls, username: username ?? discovery.username ?? null, password: password ?? discovery.password ?? null };
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

/** TUSK_EVENTS, TUSK_NATS_SERVERS and TUSK_EVENTS_DIR, each replacing its [events] key. */
export function applyEventsEnv(events: EventsSection, env: NodeJS.ProcessEnv, source: string): EventsSection {
  const broker = readOverride('TUSK_EVENTS', env, source) as EventsSection['broker'] | undefined;
  const servers = readOverride('TUSK_NATS_SERVERS', env, source) as string[] | undefined;
  const dir = readOverride('TUSK_EVENTS_DIR', env, source) as string | undefined;
  return { ...events, broker: broker ?? events.broker, servers: servers ?? events.servers, dir: dir ?? events.dir };
}

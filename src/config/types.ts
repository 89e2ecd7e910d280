/**
 * The resolved service descriptor: what a .tsk file means once `@env` values
 * are read, defaults applied and the contract environment variables
 * (TUSK_DISCOVERY, TUSK_ETCD_ENDPOINTS, TUSK_ADVERTISE_HOST, TUSK_LOG_LEVEL)
 * have overridden it. Durations are milliseconds.
 */
export type BalancerName = 'round_robin' | 'random' | 'weighted' | 'least_request' | 'p2c_ewma' | 'ring_hash';
export type DiscoveryProviderName = 'etcd' | 'local' | 'static';
export type MetadataValue = string | number | boolean;

export interface ServiceSection {
  readonly name: string;
  readonly version: string;
  /** 0 = any free port. */
  readonly port: number;
  /** Address the server binds to. */
  readonly host: string;
  /** Address written to the registry; never 0.0.0.0; null = chosen at start (server/advertise-host.ts). */
  readonly advertiseHost: string | null;
  readonly metadata: Readonly<Record<string, MetadataValue>>;
}

export interface DiscoverySection {
  readonly provider: DiscoveryProviderName;
  /** etcd: the etcd cluster's host:port list. static: the service's own host:port list. */
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly ttlMs: number;
  /** local provider: folder shared by the processes of one machine. */
  readonly dir: string;
  /** etcd: TLS to the cluster; null/absent = plaintext. */
  readonly tls?: EtcdTlsFiles | null;
  /** etcd: username/password auth; null/absent = none. The password is never logged. */
  readonly username?: string | null;
  readonly password?: string | null;
}

/** PEM file paths; null ca = the system roots, cert and key come together. */
export interface EtcdTlsFiles {
  readonly ca: string | null;
  readonly cert: string | null;
  readonly key: string | null;
}

export interface ServerSection {
  /** null = the registry's own propagation time. */
  readonly drainDelayMs: number | null;
  readonly shutdownGraceMs: number;
  readonly reflection: boolean;
  /** Which gRPC server carries the calls (src/server/transport/). */
  readonly transport: 'grpc-js' | 'http2';
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  readonly maxConcurrentStreams: number;
  readonly keepalive: { readonly timeMs: number; readonly timeoutMs: number; readonly minClientPingIntervalMs: number };
  /** null = never. */
  readonly maxConnectionIdleMs: number | null;
  /** null = never. */
  readonly maxConnectionAgeMs: number | null;
  readonly overload: OverloadSettings;
}

export type Priority = 'critical' | 'default' | 'sheddable';
export type LimiterName = 'gradient2' | 'aimd' | 'fixed';

/** `[server] overload { ... }` (src/config/schema-overload.ts says what each means). */
export interface OverloadSettings {
  readonly enabled: boolean;
  readonly limiter: LimiterName;
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly smoothing: number;
  readonly shortWindow: number;
  readonly longWindow: number;
  readonly tolerance: number;
  readonly latencySlackMs: number;
  readonly backoffRatio: number;
  readonly latencyThresholdMs: number;
  readonly maxLoopDelayMs: number;
  readonly maxLoopUtilization: number;
  readonly criticalReserve: number;
  readonly sheddableShare: number;
  readonly deadlineAware: boolean;
  readonly pushbackMs: number;
  readonly trustPriorityHeader: boolean;
}

/** The connection settings a client of one service uses: its [client] limits. */
export type ClientTransportName = 'grpc-js' | 'http2';

export interface ClientConnectionLimits {
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  readonly keepalive: { readonly timeMs: number; readonly timeoutMs: number; readonly permitWithoutCalls: boolean };
}

export type BackoffKind = 'exponential' | 'constant';

export interface RetryPolicy {
  /** Total attempts, the first one included (cockatiel's maxAttempts counts retries only). */
  readonly maxAttempts: number;
  readonly backoff: BackoffKind;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Status code names that may be retried, e.g. ["UNAVAILABLE"]. */
  readonly on: readonly string[];
  /** Retries allowed as a fraction of calls in a sliding window. */
  readonly budget: number;
}

export type BreakerStrategy = 'consecutive' | 'sampling';

export interface CircuitBreakerPolicy {
  readonly strategy: BreakerStrategy;
  /** consecutive: failures in a row; sampling: failure ratio 0..1. */
  readonly threshold: number;
  readonly halfOpenAfterMs: number;
  /** sampling only: the window over which the ratio is measured. */
  readonly windowMs: number;
  /** sampling only: calls per second below which the breaker never opens. */
  readonly minimumRps: number;
  /** Status code names that count as endpoint failures; DEADLINE_EXCEEDED only when a per-try timeout expired. */
  readonly on: readonly string[];
}

export interface BulkheadPolicy {
  readonly maxConcurrent: number;
  readonly queue: number;
}

/** [client] adaptive_limit: a client-side AIMD concurrency limit per endpoint. */
export interface AdaptiveLimitPolicy {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** Multiplier applied when the endpoint pushes back (0.5..0.99). */
  readonly backoffRatio: number;
}

export interface ClientPolicy extends ClientConnectionLimits {
  /** Which gRPC client carries the calls: grpc-js channels or the lean one (src/client/http2/). */
  readonly transport: ClientTransportName;
  readonly balancer: BalancerName;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly circuitBreaker: CircuitBreakerPolicy;
  readonly bulkhead: BulkheadPolicy | null;
  /** null = off (the default). */
  readonly adaptiveLimit: AdaptiveLimitPolicy | null;
}

export interface MethodPolicy {
  readonly timeoutMs?: number;
  readonly idempotent: boolean;
  readonly balancer?: BalancerName;
  readonly retry?: Partial<RetryPolicy>;
  /** Server side, with [auth]: callable without credentials. */
  readonly public?: boolean;
  /** Server side, with [auth]: scopes the caller must all hold (default [auth] default_scopes). */
  readonly scopes?: readonly string[];
  /** Server side only: admission priority under overload; absent = "default". */
  readonly priority?: Priority;
}

/** One layer of client-policy overrides: a caller's [dependencies] entry or ClientOptions, in the same shape. */
export interface ClientPolicyOverrides {
  readonly balancer?: BalancerName;
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly circuitBreaker?: Partial<CircuitBreakerPolicy>;
  readonly bulkhead?: BulkheadPolicy | null;
  readonly adaptiveLimit?: AdaptiveLimitPolicy | null;
  readonly methods?: Readonly<Record<string, Partial<MethodPolicy>>>;
  readonly discovery?: Partial<DiscoverySection>;
}

/** A caller's overrides for one service it calls, from its `[dependencies]` section. */
export interface DependencyPolicy extends ClientPolicyOverrides {
  readonly alias: string;
  readonly service: string;
  /** Environment variables holding this caller's credential (names, not values). */
  readonly credentials?: { readonly bearerEnv?: string; readonly apiKeyEnv?: string };
  readonly forwardAuth?: boolean;
  readonly allowInsecureCredentials?: boolean;
  readonly tls?: TargetTlsOverrides;
}

export type ClientAuthMode = 'none' | 'request' | 'require';

/** [tls]: PEM file paths (relative to the process's working directory); null = unset. */
export interface TlsSection {
  readonly cert: string | null;
  readonly key: string | null;
  readonly ca: string | null;
  readonly clientAuth: ClientAuthMode;
  readonly reloadIntervalMs: number;
}

/** Per-target TLS ([dependencies] entry `tls { ... }`, ClientOptions.tls): each key set replaces the caller's [tls] one. */
export interface TargetTlsOverrides {
  readonly ca?: string | null;
  readonly cert?: string | null;
  readonly key?: string | null;
  /** SNI and the name checked against the server's certificate, instead of the address's host. */
  readonly serverName?: string;
  /** true: no TLS to this target; false: TLS even with no files (system roots). */
  readonly plaintext?: boolean;
}

export interface TelemetrySection {
  /** Prometheus/healthz HTTP port; null = off. */
  readonly metricsPort: number | null;
  readonly logLevel: string;
}

/** `[deploy]`, read only by `tusk-grpc deploy` (schema-deploy.ts). */
export interface DeploySection {
  readonly name: string | null;
  readonly image: string | null;
  readonly port: number | null;
  readonly metricsPort: number | null;
  readonly httpPort: number | null;
  readonly serviceAccount: string | null;
  readonly discovery: 'etcd' | 'static' | null;
  readonly etcdEndpoints: readonly string[];
  readonly tlsSecret: string | null;
  readonly tlsClientAuth: 'none' | 'request' | 'require';
  readonly allowFrom: readonly string[];
  readonly command: readonly string[];
  readonly baseImage: string;
  readonly resources: { readonly cpuRequest: string | null; readonly memoryRequest: string | null; readonly cpuLimit: string | null; readonly memoryLimit: string | null };
  readonly autoscaling: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCpu: number };
  readonly maxUnavailable: number;
  readonly env: Readonly<Record<string, MetadataValue>>;
}

export interface ResolvedDescriptor {
  /** The .tsk file this came from, for error messages; null when defaults only. */
  readonly source: string | null;
  readonly service: ServiceSection;
  readonly discovery: DiscoverySection;
  readonly server: ServerSection;
  readonly client: ClientPolicy;
  /** Keyed by the proto method name, e.g. "GetUser". */
  readonly methods: Readonly<Record<string, MethodPolicy>>;
  /** Keyed by full service name of the dependency. */
  readonly dependencies: Readonly<Record<string, DependencyPolicy>>;
  readonly telemetry: TelemetrySection;
  /** After TUSK_TLS_CERT, TUSK_TLS_KEY, TUSK_TLS_CA, TUSK_TLS_CLIENT_AUTH. */
  readonly tls: TlsSection;
  /** null = no [auth]: every method is open. */
  readonly auth: AuthSection | null;
  /** After TUSK_EVENTS, TUSK_NATS_SERVERS and TUSK_EVENTS_DIR. */
  readonly events: EventsSection;
  /** Keyed by handler method name, e.g. "onUserCreated". */
  readonly subscriptions: Readonly<Record<string, SubscriptionPolicy>>;
}

/** One `[subscriptions]` block (schema-subscriptions.ts). */
export interface SubscriptionPolicy {
  /** Full proto message name. */
  readonly event: string;
  readonly group: string;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly ackWaitMs: number;
  readonly concurrency: number;
}

/** `[events]` (schema-events.ts). */
export interface EventsSection extends EventBrokerConfig {
  /** Full names of the messages the service publishes. */
  readonly publishes: readonly string[];
}

/** The part of `[events]` that says which broker and stream (what createEventBroker needs). */
export interface EventBrokerConfig {
  readonly broker: 'nats' | 'local';
  readonly servers: readonly string[];
  readonly prefix: string;
  readonly stream: string;
  readonly retention: 'limits' | 'interest';
  readonly maxAgeMs: number | null;
  readonly replicas: number;
  readonly duplicateWindowMs: number;
  readonly dir: string;
}

export interface JwtAuthConfig {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksFile: string | null;
  readonly jwksUrl: string | null;
  readonly algorithms: readonly string[];
  readonly clockToleranceMs: number;
  readonly jwksRefreshMs: number;
  readonly jwksCooldownMs: number;
}

export interface AuthSection {
  readonly jwt: JwtAuthConfig | null;
  readonly apiKeys: { readonly file: string } | null;
  readonly mtls: { readonly scopes: readonly string[] } | null;
  readonly defaultScopes: readonly string[];
  readonly protectReflection: boolean;
}

/**
 * The form a validated .tsk takes inside generated code: plain JSON, with
 * `@env` kept deferred as `{ "@env": NAME, "default"?: value, "@at": "line:col" }`
 * (a .tsk key can never start with '@', so the markers cannot collide with user keys).
 */
export type RawValue =
  | string
  | number
  | boolean
  | null
  | readonly RawValue[]
  | RawEnvRef
  | { readonly [key: string]: RawValue };

export interface RawEnvRef {
  readonly '@env': string;
  readonly default?: RawValue;
  /** `line:col` of the `@env` in its .tsk, for load-time errors; absent in hand-built descriptors. */
  readonly '@at'?: string;
}

/** Sections by name (`service`, `discovery`, ...), as written in the .tsk. */
export type RawDescriptor = { readonly [section: string]: RawValue };

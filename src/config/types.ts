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
}

export interface ServerSection {
  /** null = the registry's own propagation time. */
  readonly drainDelayMs: number | null;
  readonly shutdownGraceMs: number;
  readonly reflection: boolean;
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

export interface ClientPolicy extends ClientConnectionLimits {
  readonly balancer: BalancerName;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly circuitBreaker: CircuitBreakerPolicy;
  readonly bulkhead: BulkheadPolicy | null;
}

export interface MethodPolicy {
  readonly timeoutMs?: number;
  readonly idempotent: boolean;
  readonly balancer?: BalancerName;
  readonly retry?: Partial<RetryPolicy>;
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
  readonly methods?: Readonly<Record<string, Partial<MethodPolicy>>>;
  readonly discovery?: Partial<DiscoverySection>;
}

/** A caller's overrides for one service it calls, from its `[dependencies]` section. */
export interface DependencyPolicy extends ClientPolicyOverrides {
  readonly alias: string;
  readonly service: string;
}

export interface TelemetrySection {
  /** Prometheus/healthz HTTP port; null = off. */
  readonly metricsPort: number | null;
  readonly logLevel: string;
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

import type { Registry } from '../discovery/types.js';
import type { ClientCredentials } from './credentials/credential.js';
import type { ClientInterceptor } from './interceptors.js';
import type { Transport, TransportFactory } from './transport.js';
import type { ServiceDescriptor } from '../config/service-definition.js';
import type { AdaptiveLimitPolicy, BalancerName, BulkheadPolicy, CircuitBreakerPolicy, DiscoverySection, MethodPolicy, RetryPolicy, TargetTlsOverrides } from '../config/types.js';

/** Who calls: a service's descriptor, or the service instance itself (anything with its `descriptor`). */
export type ClientCaller = ServiceDescriptor | { readonly descriptor: ServiceDescriptor };

/** Options of `create<Svc>Client(options?)`; each overrides descriptor and [dependencies] values. */
export interface ClientOptions {
  /**
   * The service this client calls for: its `[dependencies]` entry for the
   * target applies. Without one the client runs with the target's own policy
   * and these options only. Inside a service, `this.clientOf(factory)` sets it.
   */
  readonly caller?: ClientCaller;
  /** Use these host:port addresses instead of discovery. */
  readonly endpoints?: readonly string[];
  /** Use this registry instance (shared, not closed by the client). */
  readonly registry?: Registry;
  readonly discovery?: Partial<DiscoverySection>;
  readonly balancer?: BalancerName;
  readonly timeout?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly circuitBreaker?: Partial<CircuitBreakerPolicy>;
  readonly bulkhead?: BulkheadPolicy | null;
  /** Client-side AIMD limit per endpoint ([client] adaptive_limit); null = off. */
  readonly adaptiveLimit?: AdaptiveLimitPolicy | null;
  /** Per-attempt timeout in ms for unary calls (always inside the overall deadline); default: none. */
  readonly perTryTimeout?: number;
  /** Keyed by proto method name, e.g. "GetUser". */
  readonly methods?: Readonly<Record<string, Partial<MethodPolicy>>>;
  /** Around every call of this client, the first outermost; outside deadline, retries and transport. */
  readonly interceptors?: readonly ClientInterceptor[];
  /**
   * A Transport: every call goes to it (one endpoint, `transport.address`; no
   * discovery; not closed by closeClient), e.g. createInMemoryTransport(...).
   * A TransportFactory: makes the transport of each discovered address instead of grpc-js.
   */
  readonly transport?: Transport | TransportFactory;
  /** A bearer token or API key, or a function returning one per call; beats the [dependencies] entry's `credentials`. */
  readonly credentials?: ClientCredentials;
  /** With `{ parent: ctx }`, send the parent's incoming authorization / x-api-key instead (default false; `forward_auth`). */
  readonly forwardAuth?: boolean;
  /** Send credentials over plaintext to non-loopback addresses too (default false; `allow_insecure_credentials`). */
  readonly allowInsecureCredentials?: boolean;
  /**
   * TLS towards this target, over the caller's [tls] and its [dependencies]
   * entry's `tls`: `{ ca, cert, key, serverName }` (paths relative to the
   * working directory), `{ plaintext: true }` for a plaintext target.
   */
  readonly tls?: TargetTlsOverrides;
}

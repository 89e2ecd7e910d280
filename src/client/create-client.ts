import { createBalancer } from '../balancer/create-balancer.js';
import type { Balancer } from '../balancer/types.js';
import type { ServiceDescriptor } from '../config/service-definition.js';
import type { BalancerName, DiscoverySection } from '../config/types.js';
import { ServiceBulkhead } from '../resilience/bulkhead.js';
import { EndpointFailureRule } from '../resilience/failure.js';
import { RetryBudget } from '../resilience/retry-budget.js';
import { clientTlsFor } from '../security/tls/client-tls.js';
import { MethodRetry } from '../resilience/retry.js';
import { effectiveClientConfig } from '../config/client-policy.js';
import type { ClientOptions } from './client-options.js';
import { callCredentialsFor } from './credentials/index.js';
import { installDefaultClientTelemetry } from './default-telemetry.js';
import { EndpointSet, type EndpointSource } from './endpoint-set.js';
import { transportChoice } from './injected-transport.js';
import { interceptMethod } from './interceptors.js';
import { bidiStreamMethod, clientStreamMethod, serverStreamMethod, unaryMethod } from './method-calls.js';
import { CallPipeline, type MethodPlan } from './pipeline.js';
import { sharedRegistryPool } from './registry-pool.js';
import { transportPoolFor } from './transport-pool.js';

/** Hidden handle on every client: generated client interfaces have only RPC methods. */
const CLIENT_HANDLE = Symbol('tusk-grpc.client');

interface ClientHandle {
  readonly endpoints: EndpointSet;
  /** Gives back this client's share of a pooled registry (none when the caller passed endpoints or a registry). */
  readonly releaseRegistry: (() => Promise<void>) | undefined;
}

/**
 * The engine behind every generated `create<Svc>Client(options?)`: one method
 * per RPC, keyed by localName, each running the call pipeline (pipeline.ts).
 */
export function createClient<Client>(descriptor: ServiceDescriptor, options: ClientOptions = {}): Client & TuskClient {
  checkOneEndpointSource(options);
  const config = effectiveClientConfig(descriptor, options);
  // Before anything is opened: a bad fixed credential throws here. Whether an endpoint's channel is TLS
  // is its Transport's `secure` (pipeline stage 7b): GrpcTransport sets it when its channel credentials are TLS.
  const credentials = callCredentialsFor(descriptor, options);
  installDefaultClientTelemetry(); // before the endpoint set reports its first list
  // TLS files are read only for our own transports ([client] transport): an injected one brings its own connection.
  const grpcPool = options.transport === undefined ? transportPoolFor(config.policy, clientTlsFor(descriptor, options), config.policy.transport) : transportPoolFor(config.policy);
  const transports = transportChoice(options, grpcPool);
  const { source, releaseRegistry } = transports.source === undefined ? endpointSource(config.discovery, options) : { source: transports.source, releaseRegistry: undefined };
  const endpoints = new EndpointSet(descriptor.name, source, transports.pool, config.policy.circuitBreaker, config.policy.adaptiveLimit);
  const budget = new RetryBudget({ ratio: config.policy.retry.budget });
  const bulkhead = config.policy.bulkhead === null ? undefined : new ServiceBulkhead(config.policy.bulkhead, descriptor.name);
  const failures = new EndpointFailureRule(config.policy.circuitBreaker.on);
  const pipeline = new CallPipeline({ service: descriptor.name, endpoints, budget, bulkhead, failures, credentials });

  // Methods with the same balancer policy share one instance, so its load and latency view covers all of them.
  const balancers = new Map<BalancerName, Balancer>();
  const balancerFor = (name: BalancerName): Balancer => {
    let balancer = balancers.get(name);
    if (balancer === undefined) balancers.set(name, (balancer = createBalancer(name)));
    return balancer;
  };
  endpoints.onEndpointLeft((address) => {
    for (const balancer of balancers.values()) balancer.forget?.(address);
  });
  const perTryTimeoutMs = checkedPerTryTimeout(options.perTryTimeout);

  const client: Record<string | symbol, unknown> = {};
  for (const method of Object.values(descriptor.methods)) {
    const policy = config.methods[method.name]!;
    const streamsRequests = method.kind === 'client_streaming' || method.kind === 'bidi_streaming';
    const plan: MethodPlan = {
      method,
      timeoutMs: policy.timeoutMs,
      // A request stream cannot be replayed: such calls are retried only when nothing was sent.
      idempotent: policy.idempotent && !streamsRequests,
      balancer: balancerFor(policy.balancer),
      retryPolicy: policy.retry,
      retry: new MethodRetry(policy.retry),
      // A stream outlives its first attempt's wait, so only the overall deadline applies to it.
      perTryTimeoutMs: method.kind === 'unary' ? perTryTimeoutMs : undefined,
    };
    const call =
      method.kind === 'unary'
        ? unaryMethod(pipeline, plan)
        : method.kind === 'server_streaming'
          ? serverStreamMethod(pipeline, plan)
          : method.kind === 'client_streaming'
            ? clientStreamMethod(pipeline, plan)
            : bidiStreamMethod(pipeline, plan);
    // Without interceptors the method is the pipeline adapter itself: no cost.
    client[method.localName] = options.interceptors?.length ? interceptMethod(descriptor.name, method, call, options.interceptors) : call;
  }
  const handle: ClientHandle = { endpoints, releaseRegistry };
  Object.defineProperty(client, CLIENT_HANDLE, { value: handle, enumerable: false });
  // A symbol, not a method: it cannot collide with an RPC's name.
  Object.defineProperty(client, Symbol.asyncDispose, { value: () => closeClient(client), enumerable: false });
  return client as Client & TuskClient;
}

/**
 * What every client has besides its RPCs (generated `<Svc>Client` interfaces
 * extend it): `await using users = createUserServiceClient()` closes the
 * client when the block ends, as `closeClient(users)` does.
 */
export interface TuskClient {
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Stops watching discovery and releases this client's share of the endpoint
 * transports and of the pooled registry. An etcd watch keeps the process
 * alive, so a script that is done calling closes its clients (or declares
 * them with `await using`) to exit by itself. Closing twice is harmless.
 */
export async function closeClient(client: object): Promise<void> {
  const handle = (client as Record<symbol, ClientHandle | undefined>)[CLIENT_HANDLE];
  if (handle === undefined) throw new TypeError('tusk-grpc: closeClient() needs a client made by createClient()');
  handle.endpoints.close();
  await handle.releaseRegistry?.();
}

/** Endpoints the client sees right now (address and breaker usability), for diagnostics and tests. */
export function clientEndpoints(client: object): ReadonlyArray<{ readonly address: string; readonly usable: boolean }> {
  const handle = (client as Record<symbol, ClientHandle | undefined>)[CLIENT_HANDLE];
  if (handle === undefined) throw new TypeError('tusk-grpc: clientEndpoints() needs a client made by createClient()');
  return handle.endpoints.all.map((endpoint) => ({ address: endpoint.address, usable: endpoint.breaker.usable }));
}

/** A per-try timeout that is not a positive number of ms would mean "expire at once" or "none": both surprising, so refused. */
function checkedPerTryTimeout(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined;
  if (!(ms > 0)) throw new TypeError(`tusk-grpc: perTryTimeout must be a positive number of milliseconds, not ${String(ms)}`);
  return ms;
}

/** `endpoints`, `registry` and `discovery` each say where the endpoints come from: at most one may be given. */
function checkOneEndpointSource(options: ClientOptions): void {
  const given = (['endpoints', 'registry', 'discovery'] as const).filter((key) => options[key] !== undefined);
  if (given.length > 1) throw new TypeError(`tusk-grpc: createClient() takes one endpoint source, got ${given.join(' and ')}`);
}

function endpointSource(discovery: DiscoverySection, options: ClientOptions): { source: EndpointSource; releaseRegistry: (() => Promise<void>) | undefined } {
  if (options.endpoints !== undefined) return { source: { addresses: options.endpoints }, releaseRegistry: undefined };
  if (options.registry !== undefined) return { source: { registry: options.registry }, releaseRegistry: undefined };
  const { registry, release } = sharedRegistryPool.acquire(discovery);
  return { source: { registry }, releaseRegistry: release };
}

import type { BalancerEndpoint } from '../balancer/types.js';
import type { AdaptiveLimitPolicy } from '../config/types.js';
import type { Endpoint, Registry } from '../discovery/types.js';
import { timerAt } from '../resilience/deadline-timer.js';
import { EndpointBreaker, type BreakerCounterPolicy } from '../resilience/endpoint-breaker.js';
import { clientStateObserver } from './client-observer.js';
import { EndpointLoad } from './endpoint-load.js';
import type { Transport } from './transport.js';
import type { TransportPool } from './transport-pool.js';

/** An endpoint as one client uses it: registry data, the shared transport, this client's breaker and load view of it. */
export interface ClientEndpoint extends BalancerEndpoint {
  readonly transport: Transport;
  readonly breaker: EndpointBreaker;
  /** Its pushback and adaptive limit: a busy endpoint is skipped, not failed. */
  readonly load: EndpointLoad;
}

/** Where the endpoint list comes from: a registry watch, or a fixed list. */
export type EndpointSource = { readonly registry: Registry } | { readonly addresses: readonly string[] };

/**
 * Open sets per service. The state gauges are per service and endpoint, not per
 * client: with several clients of one service, an endpoint's series is dropped
 * only when no open set still uses it, and the count drops to 0 only when the
 * last set closes.
 */
const openSets = new Map<string, Set<EndpointSet>>();

/**
 * The live endpoints of one service for one client. Follows the registry's
 * full lists; an endpoint that appears gets a transport from the shared pool
 * and a fresh breaker, one that leaves releases its transport. When the
 * registry goes quiet (e.g. etcd down) the last known list simply stays.
 */
export class EndpointSet {
  private endpoints: ClientEndpoint[] = [];
  private known = false;
  private knownWaiters: Array<() => void> = [];
  private readonly unwatch: () => void;
  private readonly stopReporting = new Map<string, () => void>();
  private closed = false;
  private readonly leftListeners: Array<(address: string) => void> = [];

  constructor(
    readonly service: string,
    source: EndpointSource,
    private readonly pool: TransportPool,
    private readonly breakerPolicy: BreakerCounterPolicy,
    /** [client] adaptive_limit; null = off. */
    private readonly adaptiveLimit: AdaptiveLimitPolicy | null = null,
  ) {
    let sets = openSets.get(service);
    if (sets === undefined) openSets.set(service, (sets = new Set()));
    sets.add(this);
    if ('registry' in source) {
      this.unwatch = source.registry.watch(service, (list) => this.update(list));
    } else {
      this.unwatch = () => {};
      this.update(source.addresses.map((address) => ({ address, metadata: {} })));
    }
  }

  get all(): readonly ClientEndpoint[] {
    return this.endpoints;
  }

  /** True once discovery has listed the service (even an empty list), or after close. */
  get answered(): boolean {
    return this.known || this.closed;
  }

  /** undefined once the first list is known; else resolves when it is, after `timeoutMs`, or when `signal` aborts. */
  whenKnown(timeoutMs: number, signal?: AbortSignal): Promise<void> | undefined {
    if (this.known || this.closed) return undefined;
    return new Promise((resolve) => {
      const cancelTimer = timerAt(Date.now() + timeoutMs, done);
      const waiters = this.knownWaiters;
      signal?.addEventListener('abort', done, { once: true });
      function done(): void {
        cancelTimer();
        signal?.removeEventListener('abort', done);
        const index = waiters.indexOf(done);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** Calls `listener` with the address of every endpoint that leaves this set, so per-endpoint state can be dropped. */
  onEndpointLeft(listener: (address: string) => void): void {
    this.leftListeners.push(listener);
  }

  /**
   * Endpoints a call may use now: breaker not open, not busy (in pushback or
   * at its adaptive limit), and (for a retry) not already tried, unless every
   * usable one was tried. The common case (all usable, first attempt) returns
   * the stored array without allocating.
   */
  usable(tried: readonly string[] | undefined): readonly ClientEndpoint[] {
    const all = this.endpoints;
    let allUsable = true;
    for (let i = 0; i < all.length; i++) {
      if (!isUsable(all[i]!)) {
        allUsable = false;
        break;
      }
    }
    const usable = allUsable ? all : all.filter(isUsable);
    if (tried === undefined || tried.length === 0) return usable;
    const untried = usable.filter((endpoint) => !tried.includes(endpoint.address));
    return untried.length > 0 ? untried : usable;
  }

  /**
   * With no usable endpoint: how many are healthy but busy, and when the
   * soonest pushback among them ends (0 = only adaptive limits hold them);
   * undefined when none is busy (every breaker is open).
   */
  busy(): { readonly count: number; readonly retryAfterMs: number } | undefined {
    let count = 0;
    let retryAfterMs = Infinity;
    for (const endpoint of this.endpoints) {
      if (!endpoint.breaker.usable || endpoint.load.admits) continue;
      count++;
      retryAfterMs = Math.min(retryAfterMs, endpoint.load.pushbackLeftMs());
    }
    return count === 0 ? undefined : { count, retryAfterMs };
  }

  /** How long a retry must wait for an endpoint out of pushback: 0 when one is usable now or none is pushed back. */
  pushbackWaitMs(): number {
    let wait = Infinity;
    for (const endpoint of this.endpoints) {
      if (!endpoint.breaker.usable) continue;
      const left = endpoint.load.pushbackLeftMs();
      if (left === 0) return 0;
      wait = Math.min(wait, left);
    }
    return wait === Infinity ? 0 : wait;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    const sets = openSets.get(this.service);
    sets?.delete(this);
    if (sets?.size === 0) openSets.delete(this.service);
    for (const endpoint of this.endpoints) this.removed(endpoint);
    this.endpoints = [];
    const remaining = sets === undefined ? undefined : [...sets].at(-1);
    clientStateObserver()?.endpointsKnown?.(this.service, remaining?.all.length ?? 0);
    for (const wake of [...this.knownWaiters]) wake();
  }

  private added(address: string, metadata: Readonly<Record<string, unknown>>): ClientEndpoint {
    const breaker = new EndpointBreaker(this.breakerPolicy, address);
    const stopReporting = breaker.onStateChange((state) => clientStateObserver()?.breakerState?.(this.service, address, state));
    this.stopReporting.set(address, stopReporting);
    clientStateObserver()?.breakerState?.(this.service, address, 'closed');
    return { address, metadata, transport: this.pool.acquire(address), breaker, load: new EndpointLoad(this.adaptiveLimit) };
  }

  private removed(endpoint: ClientEndpoint): void {
    this.pool.release(endpoint.address);
    this.stopReporting.get(endpoint.address)?.();
    this.stopReporting.delete(endpoint.address);
    if (!this.usedElsewhere(endpoint.address)) clientStateObserver()?.endpointLeft?.(this.service, endpoint.address);
    for (const listener of this.leftListeners) listener(endpoint.address);
  }

  /** Another open set of this service (another client) still has `address`. */
  private usedElsewhere(address: string): boolean {
    for (const set of openSets.get(this.service) ?? []) {
      if (set !== this && set.endpoints.some((endpoint) => endpoint.address === address)) return true;
    }
    return false;
  }

  private update(list: readonly Endpoint[]): void {
    if (this.closed) return;
    const previous = new Map(this.endpoints.map((endpoint) => [endpoint.address, endpoint]));
    const next: ClientEndpoint[] = [];
    for (const { address, metadata } of list) {
      const existing = previous.get(address);
      if (existing !== undefined) {
        previous.delete(address);
        next.push(existing.metadata === metadata ? existing : { ...existing, metadata });
      } else if (!next.some((endpoint) => endpoint.address === address)) {
        next.push(this.added(address, metadata));
      }
    }
    for (const gone of previous.values()) this.removed(gone);
    this.endpoints = next;
    clientStateObserver()?.endpointsKnown?.(this.service, next.length);
    if (!this.known) {
      this.known = true;
      for (const wake of [...this.knownWaiters]) wake();
    }
  }
}

function isUsable(endpoint: ClientEndpoint): boolean {
  return endpoint.breaker.usable && endpoint.load.admits;
}

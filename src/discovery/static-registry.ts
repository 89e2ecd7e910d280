// A fixed list of endpoints: for environments where addresses are known in
// advance (a Kubernetes Service, a load balancer). Nothing is registered.
import type { Endpoint, EndpointsListener, RegistrationHandle, Registry } from './types.js';
import { sortEndpoints } from './keys.js';

const NOTHING_TO_DEREGISTER: RegistrationHandle = { deregister: async () => undefined };

export class StaticRegistry implements Registry {
  /** Nothing is registered, so no watcher waits to see a removal. */
  readonly removalVisibleWithinMs = 0;
  private readonly endpoints: readonly Endpoint[];

  /** `addresses` are the watched service's own host:port list. */
  constructor(addresses: readonly string[]) {
    const unique = [...new Set(addresses.map((address) => address.trim()).filter((address) => address !== ''))];
    this.endpoints = Object.freeze(sortEndpoints(unique.map((address) => ({ address, metadata: {} }))));
  }

  async register(): Promise<RegistrationHandle> {
    return NOTHING_TO_DEREGISTER;
  }

  watch(_service: string, listener: EndpointsListener): () => void {
    let active = true;
    // Asynchronous like the other providers, so callers can rely on one behaviour.
    queueMicrotask(() => {
      if (active) listener(this.endpoints);
    });
    return () => {
      active = false;
    };
  }

  async close(): Promise<void> {}
}

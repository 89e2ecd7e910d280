import type { DiscoverySection } from '../config/types.js';
import { createRegistry } from '../discovery/create-registry.js';
import type { Registry } from '../discovery/types.js';

interface PooledRegistry {
  readonly registry: Registry;
  refs: number;
}

/**
 * Clients that read the same [discovery] section share one registry (one etcd
 * connection and one watch per service), closed when the last client closes.
 */
class RegistryPool {
  private readonly registries = new Map<string, PooledRegistry>();

  acquire(discovery: DiscoverySection): { registry: Registry; release: () => Promise<void> } {
    // Different etcd credentials are different connections; the key stays in memory, never logged.
    const key = JSON.stringify([discovery.provider, discovery.endpoints, discovery.prefix, discovery.ttlMs, discovery.dir, discovery.tls ?? null, discovery.username ?? null, discovery.password ?? null]);
    let pooled = this.registries.get(key);
    if (pooled === undefined) {
      pooled = { registry: createRegistry(discovery), refs: 0 };
      this.registries.set(key, pooled);
    }
    pooled.refs++;
    const entry = pooled;
    let released = false;
    return {
      registry: entry.registry,
      release: async () => {
        if (released) return;
        released = true;
        if (--entry.refs > 0) return;
        this.registries.delete(key);
        await entry.registry.close();
      },
    };
  }
}

export const sharedRegistryPool = new RegistryPool();

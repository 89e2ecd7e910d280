// Picks the provider a service's [discovery] section names.
import type { DiscoverySection } from '../config/types.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { Registry } from './types.js';
import { EtcdRegistry } from './etcd-registry.js';
import { etcdSecurityOptions } from './etcd-security.js';
import { createFallbackLogger } from './fallback-logger.js';
import { defaultLocalRegistryDir } from './local-files.js';
import { LocalRegistry } from './local-registry.js';
import { StaticRegistry } from './static-registry.js';

export interface CreateRegistryOptions {
  /** Where recoveries and ignored values are reported; default: warnings to stderr. */
  readonly logger?: Logger;
  /** etcd only: told whether etcd keeps the registrations' leases alive (e.g. for the tusk_registry_connected gauge). */
  readonly onConnectionChange?: (connected: boolean) => void;
}

/** Used when a section leaves the TTL unset or invalid. */
export const DEFAULT_REGISTRY_TTL_MS = 10_000;
/** Used when the local provider gets no folder: per user (see defaultLocalRegistryDir). */
export const DEFAULT_LOCAL_REGISTRY_DIR = defaultLocalRegistryDir();

export function createRegistry(discovery: DiscoverySection, options: CreateRegistryOptions = {}): Registry {
  const logger = (options.logger ?? createFallbackLogger()).child({ component: 'discovery', provider: discovery.provider });
  const ttlMs = Number.isFinite(discovery.ttlMs) && discovery.ttlMs > 0 ? discovery.ttlMs : DEFAULT_REGISTRY_TTL_MS;
  switch (discovery.provider) {
    case 'etcd':
      return new EtcdRegistry({
        endpoints: discovery.endpoints, prefix: discovery.prefix, ttlMs, logger, security: etcdSecurityOptions(discovery),
        ...(options.onConnectionChange ? { onConnectionChange: options.onConnectionChange } : {}),
      });
    case 'local':
      return new LocalRegistry({ dir: discovery.dir || DEFAULT_LOCAL_REGISTRY_DIR, ttlMs, logger });
    case 'static':
      return new StaticRegistry(discovery.endpoints);
    default: {
      const unknown: never = discovery.provider;
      throw new Error(`unknown discovery provider "${String(unknown)}"`);
    }
  }
}

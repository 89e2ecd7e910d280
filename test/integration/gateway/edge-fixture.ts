// The edge policy tests' parts: the gateway fixture's catalog service generated once per file, one real
// TuskServer per "backend" (each with its own local registry, optionally with its own [auth]), and as many
// real TuskGateways in front of one as a test needs. `seen` counts what reached the handlers.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalRegistry } from '../../../src/discovery/local-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import type { ServiceDescriptor } from '../../../src/config/service-definition.js';
import type { RawDescriptor } from '../../../src/config/types.js';
import { TuskGateway, type TuskGatewayOptions } from '../../../src/gateway/index.js';
import { removeDir } from '../generator/cli-harness.js';
import { catalogService, generateCatalog, type SeenCall } from './catalog-fixture.js';

export const silentLogger = pino({ level: 'silent' });

export interface Backend {
  readonly descriptor: ServiceDescriptor;
  readonly seen: SeenCall[];
  /** A gateway in front of this backend, stopped by close(). */
  gateway(options?: Partial<TuskGatewayOptions>): Promise<{ gateway: TuskGateway; base: string }>;
  close(): Promise<void>;
}

export interface Catalog {
  readonly descriptor: ServiceDescriptor;
  /** One TuskServer hosting the catalog; `config` replaces sections of its .tsk (e.g. an [auth]). */
  backend(config?: RawDescriptor): Promise<Backend>;
  close(): Promise<void>;
}

export async function generateEdgeCatalog(): Promise<Catalog> {
  const { dir, tusk } = await generateCatalog();
  const descriptor = tusk.CatalogServiceDescriptor as ServiceDescriptor;
  const backends: Backend[] = [];
  return {
    descriptor,
    backend: async (config = {}) => {
      const registryDir = await mkdtemp(join(tmpdir(), 'tusk-gateway-edge-registry-'));
      const registry = new LocalRegistry({ dir: registryDir, ttlMs: 2000, logger: silentLogger });
      const seen: SeenCall[] = [];
      const service = catalogService(tusk.CatalogServiceBase, 'a', seen);
      // The server reads this descriptor's config (not the generated .tsk): the test's sections win.
      Object.defineProperty(service, 'descriptor', { value: { ...descriptor, descriptorSource: undefined, config: { ...descriptor.config, ...config } } });
      const server = new TuskServer({ host: '127.0.0.1', port: 0, registry, drainDelayMs: 0, handleSignals: false, logger: silentLogger });
      server.add(service as never);
      await server.start();
      const gateways: TuskGateway[] = [];
      const backend: Backend = {
        descriptor, seen,
        gateway: async (options = {}) => {
          const gateway = new TuskGateway({ services: [descriptor], host: '127.0.0.1', port: 0, client: { registry }, logger: silentLogger, ...options });
          await gateway.start();
          gateways.push(gateway);
          return { gateway, base: `http://127.0.0.1:${gateway.port}` };
        },
        close: async () => {
          await Promise.all(gateways.map((gateway) => gateway.stop()));
          await server.stop();
          await registry.close();
          await removeDir(registryDir);
        },
      };
      backends.push(backend);
      return backend;
    },
    close: async () => {
      for (const backend of backends) await backend.close();
      await removeDir(dir);
    },
  };
}

/** Upstream handler calls so far: a refused request must not add any. */
export const calls = (backend: Backend): number => backend.seen.length;

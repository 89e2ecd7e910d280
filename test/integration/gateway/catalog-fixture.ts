// The gateway tests' service: test/fixtures/generator/gateway (a proto with every google.api.http form) generated
// by the real CLI into a temp folder, then two real TuskServers hosting it and a real TuskGateway in front.
import { mkdir, symlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { LocalRegistry } from '../../../src/discovery/local-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import type { CallContext } from '../../../src/server/call-context.js';
import type { ServiceDescriptor } from '../../../src/config/service-definition.js';
import type { ClientOptions } from '../../../src/client/client-options.js';
import { Code, codeFromName } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { TuskGateway, type TuskGatewayOptions } from '../../../src/gateway/index.js';
import { REPO_ROOT, copyFixture, removeDir, runCli } from '../generator/cli-harness.js';

/** What a handler saw, for the tests to check what reached the upstream. */
export interface SeenCall {
  readonly method: string;
  readonly request: any;
  readonly ctx: CallContext;
  /** WatchItems: set when the handler saw ctx.signal abort (the HTTP client went away). */
  aborted?: boolean;
}

export interface CatalogFixture {
  readonly dir: string;
  readonly descriptor: ServiceDescriptor;
  /** The generated message codecs (ts-proto), for binary Connect bodies. */
  readonly messages: Record<string, any>;
  readonly seen: SeenCall[];
  readonly servers: TuskServer[];
  readonly gateway: TuskGateway;
  readonly base: string;
  close(): Promise<void>;
}

/** Generates the fixture with the built CLI: the generated code imports "tusk-grpc", linked to this repository. */
export async function generateCatalog(): Promise<{ dir: string; tusk: any; messages: any }> {
  const dir = await copyFixture('gateway');
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(REPO_ROOT, join(dir, 'node_modules', 'tusk-grpc'), 'dir');
  await symlink(join(REPO_ROOT, 'node_modules', '@bufbuild'), join(dir, 'node_modules', '@bufbuild'), 'dir');
  const result = await runCli(['generate'], dir);
  if (result.code !== 0) throw new Error(`generate failed:\n${result.stdout}${result.stderr}`);
  const gen = join(dir, 'gen', 'fixture', 'gateway', 'v1');
  const tusk = await import(pathToFileURL(join(gen, 'catalog.tusk.ts')).href);
  const messages = await import(pathToFileURL(join(gen, 'catalog.ts')).href);
  return { dir, tusk, messages };
}

/** The handlers, steered by the request; `servedBy` tells the instances apart (SearchItems answers with it). */
export function catalogService(base: any, servedBy: string, seen: SeenCall[]): object {
  const record = (method: string, request: any, ctx: CallContext) => seen.push({ method, request, ctx });
  return new (class extends base {
    async getItem(request: any, ctx: CallContext) {
      record('GetItem', request, ctx);
      ctx.header.set('x-served-by', servedBy);
      ctx.trailer.set('x-cost', '7');
      return { sku: request.sku || request.name, displayName: `view:${request.view}`, stock: 0n, color: 0, tags: [], updatedAt: undefined, dimensions: undefined, active: false };
    }
    async createItem(request: any, ctx: CallContext) {
      record('CreateItem', request, ctx);
      return { ...request.item, displayName: `${request.item?.displayName ?? ''} by ${servedBy}` };
    }
    async updateItem(request: any, ctx: CallContext) {
      record('UpdateItem', request, ctx);
      return { ...request.item, displayName: `${request.item.displayName} (${request.reason})` };
    }
    async replaceItem(request: any, ctx: CallContext) {
      record('ReplaceItem', request, ctx);
      return { item: request.item, servedBy };
    }
    async searchItems(request: any, ctx: CallContext) {
      record('SearchItems', request, ctx);
      return { items: [{ sku: servedBy, displayName: '', stock: 0n, color: 0, tags: [], updatedAt: undefined, dimensions: undefined, active: false }], echoed: request };
    }
    async deleteItem(request: any, ctx: CallContext) {
      record('DeleteItem', request, ctx);
      const code = codeFromName(request.failWith);
      // A quota failure says when to come back as well (RetryInfo, canonical JSON "1.500s").
      const retryInfo = code === Code.RESOURCE_EXHAUSTED ? { retryInfo: { retryDelayMs: 1500 } } : {};
      if (code !== undefined) throw new TuskError(code, `told to fail with ${request.failWith}`, { fieldViolations: [{ field: 'sku', description: `sku ${request.sku} is wrong` }], ...retryInfo });
      return { sku: request.sku, displayName: '', stock: 0n, color: 0, tags: [], updatedAt: undefined, dimensions: undefined, active: false };
    }
    async fetchFiles(request: any, ctx: CallContext) {
      record('FetchFiles', request, ctx);
      return { path: request.path };
    }
    async *watchItems(request: any, ctx: CallContext) {
      const call = { method: 'WatchItems', request, ctx, aborted: false };
      seen.push(call);
      ctx.signal.addEventListener('abort', () => (call.aborted = true), { once: true });
      ctx.header.set('x-served-by', servedBy);
      for (let i = 0; i < request.count && !ctx.signal.aborted; i++) {
        if (request.failWith !== '' && i === request.failAfter) throw new TuskError(codeFromName(request.failWith)!, `stream told to fail with ${request.failWith}`);
        yield { sku: `w${i}`, displayName: servedBy, stock: BigInt(i), color: 0, tags: [], updatedAt: undefined, dimensions: undefined, active: false };
        if (request.intervalMs > 0) await sleep(request.intervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      }
      ctx.trailer.set('x-items', String(request.count));
    }
    async echo(request: any, ctx: CallContext) {
      record('Echo', request, ctx);
      ctx.header.set('x-served-by', servedBy);
      ctx.trailer.set('x-cost', '7');
      // Abort-aware, so a call the gateway gave up on does not hold the server's shutdown.
      if (ctx.metadata['x-slow'] !== undefined) await sleep(Number(ctx.metadata['x-slow']), undefined, { signal: ctx.signal });
      return request;
    }
    async totalStock(requests: AsyncIterable<any>, ctx: CallContext) {
      const call: SeenCall = { method: 'TotalStock', request: [], ctx };
      seen.push(call);
      let stock = 0n;
      for await (const item of requests) {
        (call.request as any[]).push(item);
        stock += BigInt(item.stock);
      }
      return { items: call.request.length, stock, skus: call.request.map((item: any) => item.sku) };
    }
    // Bidi: the gateway refuses it (HTTP/1.1 has no full duplex); here so the server binds every RPC.
    async *mirrorItems(requests: AsyncIterable<any>) {
      yield* requests;
    }
  })();
}

/** Two TuskServers (served_by "a" and "b") on loopback, found through a local registry by the gateway's clients. */
export async function startCatalog(gatewayOptions: Partial<TuskGatewayOptions> = {}, clientOptions: ClientOptions = {}): Promise<CatalogFixture> {
  const { dir, tusk, messages } = await generateCatalog();
  const seen: SeenCall[] = [];
  const servers: TuskServer[] = [];
  // Discovery through the local registry (a private folder), as `provider: "local"` does.
  const registryDir = await mkdtemp(join(tmpdir(), 'tusk-gateway-registry-'));
  const logger = pino({ level: 'silent' });
  const registry = new LocalRegistry({ dir: registryDir, ttlMs: 2000, logger });
  for (const servedBy of ['a', 'b']) {
    const server = new TuskServer({ host: '127.0.0.1', port: 0, registry, drainDelayMs: 0, handleSignals: false, logger });
    server.add(catalogService(tusk.CatalogServiceBase, servedBy, seen) as never);
    await server.start();
    servers.push(server);
  }
  const descriptor = tusk.CatalogServiceDescriptor as ServiceDescriptor;
  const gateway = new TuskGateway({
    services: [descriptor],
    host: '127.0.0.1',
    port: 0,
    client: { registry, ...clientOptions },
    ...gatewayOptions,
  });
  await gateway.start();
  return {
    dir, descriptor, messages, seen, servers, gateway,
    base: `http://127.0.0.1:${gateway.port}`,
    close: async () => {
      await gateway.stop();
      for (const server of servers) await server.stop();
      await registry.close();
      await removeDir(dir);
      await removeDir(registryDir);
    },
  };
}

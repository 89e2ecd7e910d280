// `tusk-grpc gateway` as a real child process over a generated fixture project (the gateway fixture, .ts output
// loaded through tsx), in front of a real TuskServer found through a private local registry folder.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { EtcdRegistry } from '../../../src/discovery/etcd-registry.js';
import { LocalRegistry } from '../../../src/discovery/local-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { catalogService, generateCatalog } from '../gateway/catalog-fixture.js';
import { CLI, errorLines, LOCATED_LINE, REPO_ROOT, removeDir, runCommand } from './cli-harness.js';

let dir: string;
let registryDir: string;
let registry: LocalRegistry;
let server: TuskServer;
let catalogBase: unknown;

before(async () => {
  const generated = await generateCatalog();
  dir = generated.dir;
  // As in a user's project: an ES module package with tsx installed, so the CLI can load the generated .ts as it is.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'gateway-cli-fixture', private: true, type: 'module' }));
  await symlink(join(REPO_ROOT, 'node_modules', 'tsx'), join(dir, 'node_modules', 'tsx'), 'dir');
  registryDir = await mkdtemp(join(tmpdir(), 'tusk-gateway-cli-registry-'));
  const logger = pino({ level: 'silent' });
  registry = new LocalRegistry({ dir: registryDir, ttlMs: 2000, logger });
  server = new TuskServer({ host: '127.0.0.1', port: 0, registry, drainDelayMs: 0, handleSignals: false, logger });
  catalogBase = generated.tusk.CatalogServiceBase;
  server.add(catalogService(catalogBase, 'cli', []) as never);
  await server.start();
});
after(async () => {
  await server?.stop();
  await registry?.close();
  if (dir) await removeDir(dir);
  if (registryDir) await removeDir(registryDir);
});

const cliEnv = (): NodeJS.ProcessEnv => ({ ...process.env, FORCE_COLOR: '0', TUSK_REGISTRY_DIR: registryDir });

interface RunningGateway {
  readonly child: ChildProcess;
  readonly readyLine: string;
  readonly base: string;
  readonly output: () => string;
}

/** Spawns the CLI and waits (bounded) for its ready line; a child that exits first fails with its output. */
async function startGatewayCli(args: readonly string[], env: NodeJS.ProcessEnv = cliEnv(), timeoutMs = 20_000): Promise<RunningGateway> {
  const child = spawn(process.execPath, [CLI, 'gateway', '--host', '127.0.0.1', '--port', '0', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const lines = createInterface({ input: child.stdout! });
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    lines.on('line', (line) => {
      output += `${line}\n`;
      if (line.startsWith('tusk-grpc gateway: serving ')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code} before it was ready:\n${output}`));
    });
  });
  const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(readyLine)?.[1];
  assert.ok(port, readyLine);
  return { child, readyLine, base: `http://127.0.0.1:${port}`, output: () => output };
}

describe('tusk-grpc gateway', () => {
  test('serves every generated service with no code: REST, Connect and openapi.json; SIGTERM drains and exits 0', async () => {
    const gateway = await startGatewayCli([]);
    const exited = once(gateway.child, 'exit');
    try {
      assert.match(gateway.readyLine, /serving fixture\.gateway\.v1\.CatalogService on http:\/\/127\.0\.0\.1:\d+ \(10 REST routes/);
      const health = await fetch(`${gateway.base}/healthz`);
      assert.equal(health.status, 200);
      const item = await fetch(`${gateway.base}/v1/items/sku-1?view=full`);
      assert.equal(item.status, 200, await item.clone().text());
      const json = (await item.json()) as Record<string, unknown>;
      assert.equal(json.sku, 'sku-1');
      assert.equal(json.displayName, 'view:full');
      assert.equal(json.stock, '0', 'int64 as a string, zero values emitted');
      const created = await fetch(`${gateway.base}/v1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: { sku: 'n', displayName: 'New', stock: '9007199254740993' } }) });
      const createdJson = (await created.json()) as Record<string, unknown>;
      assert.deepEqual([created.status, createdJson.displayName, createdJson.stock], [200, 'New by cli', '9007199254740993']);
      const echo = await fetch(`${gateway.base}/fixture.gateway.v1.CatalogService/Echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'c' }) });
      assert.equal(((await echo.json()) as Record<string, unknown>).sku, 'c');
      const openApi = (await (await fetch(`${gateway.base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
      assert.equal(openApi.openapi, '3.1.0');
      assert.ok('/v1/items/{sku}' in openApi.paths);
    } finally {
      gateway.child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0, gateway.output());
    assert.match(gateway.output(), /SIGTERM, draining/);
  });

  test('--config: [gateway] services narrows what is served, and the config port is overridden by --port', async () => {
    await writeFile(join(dir, 'narrow.tsk'), '[gateway]\nport: 1\nservices: ["fixture.gateway.v1.CatalogService"]\nemit_zero_values: false\n');
    const gateway = await startGatewayCli(['--config', 'narrow.tsk']);
    try {
      const json = (await (await fetch(`${gateway.base}/v1/items/z`)).json()) as Record<string, unknown>;
      assert.equal(json.sku, 'z');
      assert.equal('stock' in json, false, 'emit_zero_values: false from the .tsk applies');
    } finally {
      gateway.child.kill('SIGTERM');
      await once(gateway.child, 'exit');
    }
  });

  test('a bad gateway .tsk is one positioned line with a suggestion, exit 1', async () => {
    await writeFile(join(dir, 'bad.tsk'), '[gateway]\nmax_bdy: "4MB"\n');
    const result = await runCommand(process.execPath, [CLI, 'gateway', '--config', 'bad.tsk', '--port', '0'], dir, 20_000);
    assert.equal(result.code, 1);
    const lines = errorLines(result.stderr);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, LOCATED_LINE);
    assert.match(lines[0]!, /^bad\.tsk:2:1: .*max_bdy.*max_body/);
  });

  test('a service name the project does not generate is reported at its position', async () => {
    await writeFile(join(dir, 'unknown.tsk'), '[gateway]\nservices: ["fixture.gateway.v1.CatalogServic"]\n');
    const result = await runCommand(process.execPath, [CLI, 'gateway', '--config', 'unknown.tsk', '--port', '0'], dir, 20_000);
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^unknown\.tsk:2:\d+: .*"fixture\.gateway\.v1\.CatalogServic" is not among .*did you mean "fixture\.gateway\.v1\.CatalogService"/);
  });

  test('a port already taken: one line naming it, exit 1', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = await runCommand(process.execPath, [CLI, 'gateway', '--host', '127.0.0.1', '--port', String(port)], dir, 20_000);
      assert.equal(result.code, 1);
      assert.deepEqual(errorLines(result.stderr), [`tusk-grpc: the gateway cannot listen on 127.0.0.1:${port}: EADDRINUSE (choose another --port or [gateway] port)`]);
    } finally {
      taken.close();
    }
  });

  test('no generated services: one clear line, exit 1', async () => {
    const result = await runCommand(process.execPath, [CLI, 'gateway', '--out', 'proto', '--port', '0'], dir, 20_000);
    assert.equal(result.code, 1);
    assert.deepEqual(errorLines(result.stderr), ['proto: no generated services found (no *.tusk.js or *.tusk.ts here): run "tusk-grpc generate" first, or pass --out <the folder generate wrote, or where it was compiled to>']);
  });

  test('gateway options are refused on other commands', async () => {
    const result = await runCommand(process.execPath, [CLI, 'check', '--port', '1'], dir, 20_000);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tusk-grpc: --port is an option of "gateway" only/);
  });
});

describe('tusk-grpc gateway over etcd discovery', () => {
  let etcd: EtcdServer;
  let etcdRegistry: EtcdRegistry;
  const servers: TuskServer[] = [];
  before(async () => {
    etcd = await startEtcd();
    const logger = pino({ level: 'silent' });
    etcdRegistry = new EtcdRegistry({ endpoints: [etcd.endpoint], prefix: 'services', ttlMs: 5000, logger });
    for (const servedBy of ['a', 'b']) {
      const instance = new TuskServer({ host: '127.0.0.1', port: 0, registry: etcdRegistry, drainDelayMs: 0, handleSignals: false, logger });
      instance.add(catalogService(catalogBase, servedBy, []) as never);
      await instance.start();
      servers.push(instance);
    }
  });
  after(async () => {
    for (const instance of servers) await instance.stop();
    await etcdRegistry?.close();
    await etcd?.stop();
  });

  test('finds both instances through etcd (TUSK_DISCOVERY=etcd) and balances REST calls over them', async () => {
    const gateway = await startGatewayCli([], { ...process.env, FORCE_COLOR: '0', TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd.endpoint });
    try {
      const servedBy = new Set<string>();
      // round_robin ([client] of the fixture's .tsk): a handful of calls reach both; bounded at 20.
      for (let call = 0; call < 20 && servedBy.size < 2; call++) {
        const response = await fetch(`${gateway.base}/v1/items:search?query=q&tags=x&tags=y`, { signal: AbortSignal.timeout(5000) });
        assert.equal(response.status, 200, await response.clone().text());
        const json = (await response.json()) as { items: { sku: string }[]; echoed: { tags: string[] } };
        assert.deepEqual(json.echoed.tags, ['x', 'y']);
        servedBy.add(json.items[0]!.sku);
      }
      assert.deepEqual([...servedBy].sort(), ['a', 'b']);
    } finally {
      gateway.child.kill('SIGTERM');
      await once(gateway.child, 'exit');
    }
  });
});

// The Dockerfile deploy writes, built without a container engine (none runs
// here): a project scaffolded by `tusk-grpc init` with the packed tarball, its
// lockfile made by npm install, then `tusk-grpc deploy` run from the installed
// package, and the Dockerfile's stages replayed step by step
// (dockerfile-replay.ts): `npm ci`, generate and build in the build stage,
// `npm ci --omit=dev` in the runtime stage, then its CMD started with the
// Deployment's env. The service must serve, answer the Deployment's gRPC probe
// with SERVING, and stop gracefully on SIGTERM. npm runs offline-first from
// its cache. What cannot be replayed: the base image (the host's Node is used)
// and USER (the host user runs it).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { runShell, serve, type Served, type ShellResult } from '../../e2e/readme-tour.js';
import { CLI, REPO_ROOT, removeDir } from '../generator/cli-harness.js';
import { checkHealth, healthClient } from '../server/health-client.js';
import { replayDockerfile } from './dockerfile-replay.js';

const TOOLCHAIN = ['@bufbuild/buf', '@bufbuild/protoplugin', 'ts-proto', 'typescript', 'kubernetes-models', '@kubernetes-models/istio', 'pino-pretty'];

let root = '';
let project = '';
let env: NodeJS.ProcessEnv = {};
const servers: Served[] = [];

function ok(result: ShellResult, what: string): ShellResult {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

before(async () => {
  assert.ok(existsSync(CLI), 'dist/ is not built: run npm run build first');
  root = await mkdtemp(join(tmpdir(), 'tusk-dockerfile-'));
  const inherited = Object.entries(process.env).filter(([name]) => !/^(npm_|NODE_OPTIONS$|TUSK_)/.test(name));
  env = {
    ...Object.fromEntries(inherited),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    TMPDIR: await mkdtemp(join(root, 'tmp-')),
    FORCE_COLOR: '0',
  };
  ok(await runShell(`npm pack --ignore-scripts --pack-destination '${root}'`, REPO_ROOT, process.env, 120_000), 'npm pack');
  const [tarball] = (await readdir(root)).filter((file) => file.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote no tarball');
  // `../tusk-grpc.tgz` resolves alike from the project and from each replayed stage (root/build, root/runtime).
  await rename(join(root, tarball), join(root, 'tusk-grpc.tgz'));
  project = join(root, 'inventory');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'inventory', version: '0.1.0', private: true, dependencies: { 'tusk-grpc': 'file:../tusk-grpc.tgz' } }, null, 2)}\n`);
  ok(await runShell(`node '${CLI}' init acme.inventory.v1.InventoryService`, project, env, 60_000), 'tusk-grpc init');
  ok(await runShell('npm install', project, env, 300_000), 'npm install');
  const tsk = join(project, 'proto', 'acme', 'inventory', 'v1', 'inventory.tsk');
  await writeFile(tsk, `${await readFile(tsk, 'utf8')}\n[deploy]\nimage: "registry.example/inventory-service:0.1.0"\nport: 50051\n`);
});

after(async () => {
  await Promise.all(servers.map((server) => server.stop(10_000)));
  if (root) await removeDir(root);
});

test('the generated Dockerfile builds the production install, and its CMD serves what the probes check', { timeout: 600_000 }, async () => {
  ok(await runShell('npx --no-install tusk-grpc deploy', project, env, 120_000), 'tusk-grpc deploy');
  const folder = join(project, 'deploy', 'inventory-service');
  const image = await replayDockerfile(join(folder, 'Dockerfile'), project, root, env);

  assert.deepEqual(image.cmd, ['node', 'dist/src/main.js'], 'the start command of init\'s npm start');
  assert.equal(image.user, 'node', 'runs as the image\'s unprivileged user');
  assert.deepEqual(image.exposed, [50051]);
  for (const name of TOOLCHAIN) assert.equal(existsSync(join(image.appDir, 'node_modules', name)), false, `${name} is in the production install`);
  assert.ok(existsSync(join(image.appDir, 'node_modules', 'tusk-grpc')), 'the runtime is installed');
  assert.equal(existsSync(join(image.appDir, 'src')), false, 'sources stay in the build stage');

  const deployment = parse(await readFile(join(folder, 'deployment.yaml'), 'utf8'));
  const container = deployment.spec.template.spec.containers[0];
  const podEnv = Object.fromEntries(container.env.filter((entry: any) => 'value' in entry).map((entry: any) => [entry.name, entry.value]));
  assert.equal(podEnv.PORT, '50051', '[deploy] port reaches the process through [service] port\'s @env');
  // Here, not in a pod: any free port instead of 50051, loopback as the pod IP, no etcd cluster (static).
  const runEnv = { ...env, ...image.env, ...podEnv, PORT: '0', TUSK_ADVERTISE_HOST: '127.0.0.1', TUSK_DISCOVERY: 'static' };
  const server = await serve(image.cmd.map((word) => `'${word}'`).join(' '), image.appDir, runEnv, /"msg":"serving"/, 60_000);
  servers.push(server);
  const bind = /"bind":"[^"]*:(\d+)"/.exec(server.output())?.[1];
  assert.ok(bind, `no bound port in:\n${server.output()}`);
  const client = healthClient(`127.0.0.1:${bind}`);
  try {
    assert.equal(await checkHealth(client, container.readinessProbe.grpc.service), 'SERVING');
  } finally {
    client.close();
  }
  servers.splice(servers.indexOf(server), 1);
  assert.match(await server.stop(30_000), /"msg":"stopped"/, 'SIGTERM: drains and stops');
});

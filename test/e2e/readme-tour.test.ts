// The README's five-minute tour, run as written in an empty folder with the
// packed tarball: npm init -y, npm install tusk-grpc (the tarball), init, npm
// install, generate, build, npm start serving, a one-off client script that
// exits 0 by itself. The tour runs with discovery over a private etcd, and its
// serve-and-call part once more on the default local registry. The same
// install then checks tsc --noEmit, plain `npx buf generate`, and what a
// production install (npm ci --omit=dev) leaves out, and `tusk-grpc deploy`'s
// Dockerfile replayed on it (no container engine runs here).
// Relies on dist/ being built (the README's test command builds first).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT, removeDir, snapshotTree } from '../integration/generator/cli-harness.js';
import { startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { replayDockerfile } from '../integration/deploy/dockerfile-replay.js';
import { checkHealth, healthClient } from '../integration/server/health-client.js';
import { runShell, serve, tourSteps, type Served, type ShellResult } from './readme-tour.js';

/** The tour's `npm install tusk-grpc` installs this instead of the registry's package. */
const INSTALL_TUSK = /^npm install tusk-grpc$/;
const TOOLCHAIN = ['@bufbuild/buf', '@bufbuild/protoplugin', 'pino-pretty', 'ts-proto', 'typescript', 'kubernetes-models', '@kubernetes-models/istio'];

let root = '';
let tarball = '';
let project = '';
let etcd: EtcdServer | undefined;
const servers: Served[] = [];

before(async () => {
  assert.ok(existsSync(join(REPO_ROOT, 'dist', 'generator', 'cli.js')), 'dist/ is not built: run npm run build first');
  root = await mkdtemp(join(tmpdir(), 'tusk-tour-'));
  const packDir = join(root, 'pack');
  await mkdir(packDir);
  // Scripts are skipped: prepack would rebuild what the test command just built.
  ok(await runShell(`npm pack --ignore-scripts --pack-destination '${packDir}'`, REPO_ROOT, process.env, 120_000), 'npm pack');
  const [name] = (await readdir(packDir)).filter((file) => file.endsWith('.tgz'));
  assert.ok(name, 'npm pack wrote no tarball');
  tarball = join(packDir, name);
  project = join(root, 'inventory');
  await mkdir(project);
  etcd = await startEtcd();
});

after(async () => {
  await Promise.all(servers.map((server) => server.stop(10_000)));
  await etcd?.destroy();
  if (root) await removeDir(root);
});

function ok(result: ShellResult, what: string): ShellResult {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The environment of a person following the tour: offline from npm's cache, loopback only, a private tmp (local registry). */
async function tourEnv(extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  // Not the test runner's: its node flags, the npm_* variables of `npm run test:one`, its discovery settings.
  const inherited = Object.entries(process.env).filter(([name]) => !/^(npm_|NODE_OPTIONS$|TUSK_)/.test(name));
  return {
    ...Object.fromEntries(inherited),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    TMPDIR: await mkdtemp(join(root, 'tmp-')),
    HOST: '127.0.0.1',
    FORCE_COLOR: '0',
    ...extra,
  };
}

/** Runs the tour's steps from `from` on; returns the servers it left running. */
async function runTour(env: NodeJS.ProcessEnv, from = 0): Promise<Served[]> {
  const steps = tourSteps(await readFile(join(REPO_ROOT, 'README.md'), 'utf8')).slice(from);
  const running: Served[] = [];
  let last: ShellResult | undefined;
  for (const step of steps) {
    const where = `README.md:${step.line}`;
    switch (step.kind) {
      case 'run':
        for (const command of step.commands) {
          const line = INSTALL_TUSK.test(command) ? `npm install '${tarball}'` : command;
          last = ok(await runShell(line, project, env, 300_000), `${where}: ${command}`);
        }
        break;
      case 'serve': {
        const server = await serve(step.commands[0]!, project, env, /"msg":"serving"/, 120_000);
        running.push(server);
        servers.push(server);
        break;
      }
      case 'file':
        await mkdir(dirname(join(project, step.path)), { recursive: true });
        await writeFile(join(project, step.path), step.content);
        break;
      case 'same':
        assert.equal(await readFile(join(project, step.path), 'utf8'), step.content, `${where}: ${step.path} differs from what init wrote`);
        break;
      case 'stdout':
        assert.ok(last, `${where}: no command ran before this output`);
        assert.ok(last.stdout.endsWith(step.content), `${where}: the output ends otherwise:\n${last.stdout}`);
        break;
    }
  }
  return running;
}

async function stopGracefully(server: Served): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  const output = await server.stop(30_000);
  assert.match(output, /"msg":"stopped"/, `SIGTERM: the server drains and stops:\n${output}`);
}

test('the README tour runs as written with the packed tarball, discovery over etcd', { timeout: 900_000 }, async () => {
  const running = await runTour(await tourEnv({ TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd!.endpoint }));
  assert.equal(running.length, 1, 'the tour starts one server');
  assert.match(running[0]!.output(), /"msg":"get item"/, 'the call reached the server');
  await stopGracefully(running[0]!);
});

test('the serve-and-call part of the tour runs on the default local registry too', { timeout: 300_000 }, async () => {
  const steps = tourSteps(await readFile(join(REPO_ROOT, 'README.md'), 'utf8'));
  const running = await runTour(await tourEnv({}), steps.findIndex((step) => step.kind === 'serve'));
  await stopGracefully(running[0]!);
});

test('the scaffolded project type-checks, and plain npx buf generate writes what tusk-grpc generate wrote', { timeout: 300_000 }, async () => {
  const env = await tourEnv({});
  ok(await runShell('npx --no-install tsc --noEmit --pretty false', project, env, 180_000), 'tsc --noEmit');
  const bufOut = join(root, 'buf-out');
  ok(await runShell(`npx --no-install buf generate -o '${bufOut}'`, project, env, 120_000), 'npx buf generate');
  const expected = await snapshotTree(join(project, 'gen'));
  const actual = await snapshotTree(join(bufOut, 'gen'));
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [file, bytes] of actual) assert.ok(bytes.equals(expected.get(file)!), `${file} differs between buf generate and tusk-grpc generate`);
});

test('a production install of the project leaves the toolchain out, and the built service still runs', { timeout: 300_000 }, async () => {
  const env = await tourEnv({});
  const production = join(root, 'production');
  await mkdir(production);
  for (const file of ['package.json', 'package-lock.json', 'buf.yaml']) await cp(join(project, file), join(production, file));
  for (const folder of ['dist', 'proto']) await cp(join(project, folder), join(production, folder), { recursive: true });
  ok(await runShell('npm ci --omit=dev', production, env, 300_000), 'npm ci --omit=dev');
  for (const name of TOOLCHAIN) assert.equal(existsSync(join(production, 'node_modules', name)), false, `${name} is in the production install`);

  const server = await serve('node dist/src/main.js', production, env, /"msg":"serving"/, 60_000);
  servers.push(server);
  await stopGracefully(server);

  // Without pino-pretty, readable lines fall back to JSON instead of failing.
  const log = ok(await runShell(`node --input-type=module -e "import('tusk-grpc').then(({ createLogger }) => createLogger({ pretty: true }).info('plain'))"`, production, env, 60_000), 'createLogger');
  assert.equal(JSON.parse(log.stdout).msg, 'plain');

  // generate names the one command that brings the toolchain back.
  const generate = await runShell('npx --no-install tusk-grpc generate', production, env, 60_000);
  assert.equal(generate.code, 1, generate.stdout + generate.stderr);
  assert.match(generate.stderr, /^tusk-grpc: the code generator needs @bufbuild\/buf, ts-proto, @bufbuild\/protoplugin as devDependencies: npm install -D @bufbuild\/buf@\S+ ts-proto@\S+ @bufbuild\/protoplugin@\S+\n$/);
});

test('the tarball ships what it names: no prepare it cannot run, source maps and exports that resolve', { timeout: 120_000 }, async () => {
  const unpacked = join(root, 'unpacked');
  await mkdir(unpacked);
  ok(await runShell(`tar -xzf '${tarball}' -C '${unpacked}'`, root, process.env, 60_000), 'tar -xzf');
  const pkg = join(unpacked, 'package');
  const files = new Set((await readdir(pkg, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => posix.relative(pkg, join(entry.parentPath, entry.name))));
  const manifest = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8'));

  // An install of the tarball runs these, and tsc (a devDependency) is not there then.
  for (const script of ['prepare', 'preinstall', 'install', 'postinstall']) assert.equal(manifest.scripts?.[script], undefined, `scripts.${script} ships`);

  const targets: string[] = [manifest.main, manifest.types, ...Object.values(manifest.bin as Record<string, string>)];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.exports); // every condition, tusk-source included
  for (const target of targets) assert.ok(files.has(posix.normalize(target)), `package.json names ${target}, which the tarball lacks`);

  const maps = [...files].filter((file) => file.endsWith('.map'));
  assert.ok(maps.length > 0, 'source maps ship');
  for (const map of maps) {
    const { sources, sourceRoot } = JSON.parse(await readFile(join(pkg, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
    for (const source of sources) {
      const shipped = posix.normalize(posix.join(posix.dirname(map), sourceRoot ?? '', source));
      assert.ok(files.has(shipped), `${map} points at ${source}, which the tarball lacks`);
    }
  }
  for (const name of TOOLCHAIN) assert.equal(manifest.dependencies[name], undefined, `${name} is a runtime dependency`);
});

// Last: it adds [deploy] to the tour's descriptor. The Dockerfile deploy writes, replayed stage by stage
// (dockerfile-replay.ts): `npm ci`, generate and build in the build stage, `npm ci --omit=dev` in the runtime
// stage, then its CMD started with the Deployment's env must serve, answer the Deployment's gRPC probe with
// SERVING, and stop gracefully on SIGTERM. What cannot be replayed: the base image (the host's Node is used)
// and USER (the host user runs it).
test('the Dockerfile tusk-grpc deploy writes builds the production install, and its CMD serves what the probes check', { timeout: 600_000 }, async () => {
  const env = await tourEnv({});
  const tsk = join(project, 'proto', 'acme', 'inventory', 'v1', 'inventory.tsk');
  await writeFile(tsk, `${await readFile(tsk, 'utf8')}\n[deploy]\nimage: "registry.example/inventory-service:0.1.0"\nport: 50051\n`);
  ok(await runShell('npx --no-install tusk-grpc deploy', project, env, 120_000), 'tusk-grpc deploy');
  const folder = join(project, 'deploy', 'inventory-service');
  const image = await replayDockerfile(join(folder, 'Dockerfile'), project, root, env);

  assert.deepEqual(image.cmd, ['node', 'dist/src/main.js'], "the start command of init's npm start");
  assert.equal(image.user, 'node', "runs as the image's unprivileged user");
  assert.deepEqual(image.exposed, [50051]);
  for (const name of TOOLCHAIN) assert.equal(existsSync(join(image.appDir, 'node_modules', name)), false, `${name} is in the production install`);
  assert.ok(existsSync(join(image.appDir, 'node_modules', 'tusk-grpc')), 'the runtime is installed');
  assert.equal(existsSync(join(image.appDir, 'src')), false, 'sources stay in the build stage');

  const deployment = parse(await readFile(join(folder, 'deployment.yaml'), 'utf8'));
  const container = deployment.spec.template.spec.containers[0];
  const podEnv = Object.fromEntries(container.env.filter((entry: any) => 'value' in entry).map((entry: any) => [entry.name, entry.value]));
  assert.equal(podEnv.PORT, '50051', "[deploy] port reaches the process through [service] port's @env");
  // Here, not in a pod: any free port instead of 50051, loopback as the pod IP, no etcd cluster (static).
  const runEnv = { ...env, ...image.env, ...podEnv, PORT: '0', HOST: '127.0.0.1', TUSK_ADVERTISE_HOST: '127.0.0.1', TUSK_DISCOVERY: 'static' };
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
  await stopGracefully(server);
});

// `tusk-grpc init` scaffolds a service that `check` accepts, and never overwrites a file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, WHOLE_FILE_LINE, removeDir, runCli, runCommand } from './cli-harness.js';

const SCAFFOLD = [
  'proto/acme/inventory/v1/inventory.proto',
  'proto/acme/inventory/v1/inventory.tsk',
  'buf.yaml',
  'buf.gen.yaml',
  'tsconfig.json',
  'src/inventory-service.ts',
  'src/main.ts',
];

/** What npm 11's `npm init -y` writes. */
const NPM_INIT_MANIFEST = {
  name: 'inventory', version: '1.0.0', description: '', main: 'index.js',
  scripts: { test: 'echo "Error: no test specified" && exit 1' }, keywords: [], author: '', license: 'ISC', type: 'commonjs',
};

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-gen-init-'));
});
after(async () => {
  await removeDir(dir);
});

test('init scaffolds a proto, its .tsk, buf.yaml, buf.gen.yaml, tsconfig.json, a service class and src/main.ts; check accepts them', async () => {
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(NPM_INIT_MANIFEST, null, 2)}\n`);
  const result = await runCli(['init', 'acme.inventory.v1.InventoryService'], dir);
  assert.equal(result.code, 0, result.stderr);
  for (const path of SCAFFOLD) assert.match(result.stdout, new RegExp(`^created ${path}$`, 'm'));
  assert.match(result.stdout, /^updated package\.json/m);
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  assert.equal(manifest.type, 'module', 'npm init -y wrote "commonjs"; the generated code is ESM');
  assert.deepEqual(manifest.scripts, { ...NPM_INIT_MANIFEST.scripts, generate: 'tusk-grpc generate', build: 'tsc -p tsconfig.json', start: 'node dist/src/main.js' });
  // The code generator's toolchain at the versions tusk-grpc is tested with, as devDependencies: production installs leave it out.
  const own = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
  for (const name of ['@bufbuild/buf', '@bufbuild/protoplugin', 'pino-pretty', 'ts-proto', 'yaml', 'typescript', '@types/node', 'kubernetes-models', '@kubernetes-models/istio']) {
    assert.ok(own.devDependencies[name], `tusk-grpc's own devDependencies name ${name}`);
    assert.equal(manifest.devDependencies[name], own.devDependencies[name], name);
  }
  for (const name of ['@bufbuild/buf', 'ts-proto', 'pino-pretty', 'kubernetes-models', '@kubernetes-models/istio']) assert.equal(own.dependencies[name], undefined, `${name} is not a runtime dependency`);
  assert.equal(manifest.dependencies, undefined);
  assert.match(result.stdout, /^next: npm install, then npm run generate, then npm run build, then npm start/m);
  const main = await readFile(join(dir, 'src/main.ts'), 'utf8');
  assert.match(main, /server\.add\(new InventoryService\(\)\);\nawait server\.start\(\);/);
  const proto = await readFile(join(dir, SCAFFOLD[0]!), 'utf8');
  assert.match(proto, /^package acme\.inventory\.v1;$/m);
  assert.match(proto, /rpc GetInventory\(GetInventoryRequest\) returns \(GetInventoryResponse\);/);
  const service = await readFile(join(dir, 'src/inventory-service.ts'), 'utf8');
  assert.match(service, /export class InventoryService extends InventoryServiceBase/);
  assert.match(service, /from '\.\.\/gen\/acme\/inventory\/v1\/inventory\.tusk\.js'/);
  const check = await runCli(['check'], dir);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /checked 1 proto file and 1 descriptor: ok/);
});

test('the scaffolded proto passes buf lint with the STANDARD rules', async () => {
  const lint = await runCommand(process.execPath, [join(process.cwd(), 'node_modules', '@bufbuild', 'buf', 'bin', 'buf'), 'lint'], dir);
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
});

test('init again skips every existing file and changes none', async () => {
  const tsk = join(dir, SCAFFOLD[1]!);
  await writeFile(tsk, '# edited by hand\n[service]\nname: "acme.inventory.v1.InventoryService"\n');
  const result = await runCli(['init', 'acme.inventory.v1.InventoryService'], dir);
  assert.equal(result.code, 0, result.stderr);
  for (const path of SCAFFOLD) assert.match(result.stdout, new RegExp(`^skipped ${path} \\(exists\\)$`, 'm'));
  assert.doesNotMatch(result.stdout, /^(created|updated) /m, 'package.json has all it needs already');
  assert.equal(await readFile(tsk, 'utf8'), '# edited by hand\n[service]\nname: "acme.inventory.v1.InventoryService"\n');
});

test('a "commonjs" project with JavaScript of its own is left alone: init stops with the one command to run', async () => {
  const project = await mkdtemp(join(tmpdir(), 'tusk-gen-init-cjs-'));
  try {
    const manifest = `${JSON.stringify(NPM_INIT_MANIFEST, null, 2)}\n`;
    await writeFile(join(project, 'package.json'), manifest);
    await writeFile(join(project, 'index.js'), "module.exports = require('./lib');\n");
    const result = await runCli(['init', 'acme.inventory.v1.InventoryService'], project);
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, WHOLE_FILE_LINE);
    assert.match(lines[0]!, /^package\.json: "type" is "commonjs".*run "npm pkg set type=module".*index\.js/);
    assert.equal(await readFile(join(project, 'package.json'), 'utf8'), manifest);
    assert.deepEqual((await readdir(project)).sort(), ['index.js', 'package.json'], 'nothing was written');
  } finally {
    await removeDir(project);
  }
});

test('a second service in the project: src/main.ts exists, so init says how to host the new service there', async () => {
  const result = await runCli(['init', 'acme.notification.v1.NotificationService'], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^created src\/notification-service\.ts$/m);
  assert.match(result.stdout, /^skipped src\/main\.ts \(exists\)$/m);
  assert.match(result.stdout, /^host it: add `server\.add\(new NotificationService\(\)\);` to src\/main\.ts \(import \{ NotificationService \} from '\.\/notification-service\.js'\), or give it a main of its own$/m);
  const main = await readFile(join(dir, 'src/main.ts'), 'utf8');
  assert.doesNotMatch(main, /NotificationService/, 'src/main.ts still belongs to the user');
});

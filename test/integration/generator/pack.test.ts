// The package as a user gets it: npm pack, install the tarball into an empty
// folder, init a service, generate, and type-check with the user's tsc; then
// plain `npx buf generate` with the scaffolded buf.gen.yaml writes the same files.
// Relies on dist/ being built (the README's test command builds first).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, removeDir, runCommand, snapshotTree, type CliResult } from './cli-harness.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tusk-gen-pack-'));
});
after(async () => {
  await removeDir(root);
});

function assertOk(result: CliResult, what: string): void {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
}

test('the packed tarball works in an empty folder: init, generate, tsc --noEmit, npx buf generate', { timeout: 600_000 }, async () => {
  assert.ok(existsSync(join(REPO_ROOT, 'dist', 'generator', 'cli.js')), 'dist/ is not built: run npm run build first');
  const packDir = join(root, 'pack');
  await mkdir(packDir);
  // Scripts are skipped: `prepare` would rebuild what the test command just built.
  assertOk(await runCommand(NPM, ['pack', '--ignore-scripts', '--pack-destination', packDir], REPO_ROOT, 120_000), 'npm pack');
  const [tarball] = (await readdir(packDir)).filter((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote no tarball');

  const project = join(root, 'project');
  await mkdir(project);
  const install = await runCommand(
    NPM,
    ['install', join(packDir, tarball), 'typescript', '--prefer-offline', '--no-audit', '--no-fund'],
    project,
    300_000,
  );
  assertOk(install, 'npm install');

  assertOk(await runCommand(NPX, ['--no-install', 'tusk-grpc', 'init', 'acme.inventory.v1.InventoryService'], project, 60_000), 'tusk-grpc init');
  const generate = await runCommand(NPX, ['--no-install', 'tusk-grpc', 'generate'], project, 120_000);
  assertOk(generate, 'tusk-grpc generate');
  assert.ok(existsSync(join(project, 'gen', 'acme', 'inventory', 'v1', 'inventory.tusk.ts')));
  assertOk(await runCommand(NPX, ['--no-install', 'tsc', '--noEmit', '--pretty', 'false'], project, 180_000), 'tsc --noEmit');

  // The scaffolded buf.gen.yaml finds both plugins in node_modules/.bin and writes what generate wrote.
  const bufOut = join(root, 'buf-out');
  assertOk(await runCommand(NPX, ['--no-install', 'buf', 'generate', '-o', bufOut], project, 120_000), 'npx buf generate');
  const expected = await snapshotTree(join(project, 'gen'));
  const actual = await snapshotTree(join(bufOut, 'gen'));
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [file, bytes] of actual) assert.ok(bytes.equals(expected.get(file)!), `${file} differs between buf generate and tusk-grpc generate`);
});

// A project compiled as `init` sets it up (tsc, rootDir ".", outDir "dist")
// runs its generated code from dist/gen/, one folder deeper than gen/: the
// .tsk files it was generated from must still be found and read when the
// process loads a descriptor, as the README promises, not silently replaced by
// the values embedded at generation.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, removeDir, runCli, runCommand } from '../generator/cli-harness.js';

const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PRINT_SOURCE = [
  "import { resolveServiceConfig } from 'tusk-grpc';",
  "import { UserServiceDescriptor } from './dist/gen/user/v1/user.tusk.js';",
  'const { source, service } = resolveServiceConfig(UserServiceDescriptor, {});',
  'console.log(JSON.stringify({ source, version: service.version }));',
].join('\n');

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-compiled-'));
  for (const file of ['buf.yaml', 'buf.gen.yaml']) await cp(join(REPO_ROOT, file), join(dir, file));
  // protos/ holds the shipped google/api files, a module of the repository's buf.yaml (the example protos import them).
  for (const folder of ['proto', 'protos']) await cp(join(REPO_ROOT, folder), join(dir, folder), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'compiled', private: true, type: 'module' }));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, rootDir: '.', outDir: 'dist' },
    include: ['gen'],
  }));
  await mkdir(join(dir, 'node_modules'));
  await symlink(REPO_ROOT, join(dir, 'node_modules', 'tusk-grpc'), 'dir');
  for (const scope of ['@bufbuild', '@grpc', '@types']) await symlink(join(REPO_ROOT, 'node_modules', scope), join(dir, 'node_modules', scope), 'dir');
  const generated = await runCli(['generate'], dir);
  assert.equal(generated.code, 0, generated.stderr);
  const built = await runCommand(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], dir, 120_000);
  assert.equal(built.code, 0, `tsc failed:\n${built.stdout}${built.stderr}`);
  await writeFile(join(dir, 'print-source.mjs'), PRINT_SOURCE);
});
after(async () => {
  await removeDir(dir);
});

async function printSource(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCommand(process.execPath, ['print-source.mjs'], dir, 30_000);
}

test('code compiled to dist/ reads the project\'s .tsk at load time, and a changed value applies', async () => {
  const tsk = join(dir, 'proto', 'user', 'v1', 'user.tsk');
  const original = await readFile(tsk, 'utf8');
  await writeFile(tsk, original.replace(/^version: "[^"]*"/m, 'version: "9.9.9"'));
  const run = await printSource();
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { source: 'proto/user/v1/user.tsk', version: '9.9.9' });

  await writeFile(tsk, original.replace(/^version:/m, 'vresion:'));
  const broken = await printSource();
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^proto\/user\/v1\/user\.tsk:\d+:\d+: unknown key "vresion"/);
  await writeFile(tsk, original);
});

test('without the sources beside the project, the values embedded at generation apply', async () => {
  await rm(join(dir, 'proto'), { recursive: true });
  const run = await printSource();
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).source, 'user/v1/user.tsk');
});

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { resolveProject } from '../../../generator/project.js';
import { bufConfigArguments, isShippedProto, shippedModulePath } from '../../../generator/shipped-protos.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A workspace with this buf.yaml and, when `installed`, node_modules/tusk-grpc linked to this repository. */
async function workspace(bufYaml: string, installed = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-shipped-'));
  dirs.push(dir);
  await writeFile(join(dir, 'buf.yaml'), bufYaml);
  if (installed) {
    await mkdir(join(dir, 'node_modules'));
    await symlink(REPO_ROOT, join(dir, 'node_modules', 'tusk-grpc'), 'dir');
  }
  return dir;
}

test('a v2 workspace with the package installed gets the shipped folder as one more module, its own config kept', async () => {
  const dir = await workspace('version: v2\nmodules:\n  - path: proto\nlint:\n  use: [STANDARD]\n');
  const project = resolveProject(undefined, dir);
  assert.equal(shippedModulePath(project), 'node_modules/tusk-grpc/protos');
  const [flag, data] = bufConfigArguments(project);
  assert.equal(flag, '--config');
  assert.deepEqual(JSON.parse(data!), { version: 'v2', modules: [{ path: 'proto' }, { path: 'node_modules/tusk-grpc/protos' }], lint: { use: ['STANDARD'] } });
  assert.equal(isShippedProto('google/api/http.proto', join(dir, 'node_modules/tusk-grpc/protos/google/api/http.proto'), project), true);
  assert.equal(isShippedProto('google/api/http.proto', join(dir, 'proto/google/api/http.proto'), project), false);
});

test('buf runs unchanged when the folder is out of reach, or adding it would change what buf reads', async () => {
  const cases: [string, string, boolean][] = [
    ['not installed', 'version: v2\nmodules:\n  - path: proto\n', false],
    ['a v1 config', 'version: v1\n', true],
    ['BSR deps', 'version: v2\nmodules:\n  - path: proto\ndeps:\n  - buf.build/googleapis/googleapis\n', true],
    ['a root module (it holds node_modules)', 'version: v2\n', true],
  ];
  for (const [what, bufYaml, installed] of cases) {
    const project = resolveProject(undefined, await workspace(bufYaml, installed));
    assert.equal(shippedModulePath(project), undefined, what);
    assert.deepEqual(bufConfigArguments(project), [], what);
  }
  const vendored = await workspace('version: v2\nmodules:\n  - path: proto\n');
  await mkdir(join(vendored, 'proto', 'google', 'api'), { recursive: true });
  await writeFile(join(vendored, 'proto', 'google', 'api', 'http.proto'), 'syntax = "proto3";\n');
  assert.equal(shippedModulePath(resolveProject(undefined, vendored)), undefined, 'the workspace vendors its own google/api');
});

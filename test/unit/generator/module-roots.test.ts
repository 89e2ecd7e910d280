// Where standalone protoc-gen-tusk looks for protos (and the .tsk beside them).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GeneratorError } from '../../../generator/errors.js';
import { findModuleRoots } from '../../../generator/plugin/standalone.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-module-roots-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('without buf.yaml the root is the folder buf runs in', () => {
  assert.deepEqual(findModuleRoots(undefined, dir).roots, ['.']);
});

test('buf.yaml module paths are used in order; module= overrides them', async () => {
  await writeFile(join(dir, 'buf.yaml'), 'version: v2\nmodules:\n  - path: proto\n  - path: vendor/protos\n    name: buf.build/acme/vendor\n');
  assert.deepEqual(findModuleRoots(undefined, dir).roots, ['proto', 'vendor/protos']);
  assert.deepEqual(findModuleRoots('other', dir).roots, ['other']);
});

test('a buf.yaml without modules is the root module', async () => {
  await writeFile(join(dir, 'buf.yaml'), 'version: v2\nlint:\n  use: [STANDARD]\n');
  assert.deepEqual(findModuleRoots(undefined, dir).roots, ['.']);
});

test('an unreadable buf.yaml is a located error', async () => {
  await writeFile(join(dir, 'buf.yaml'), 'version: v2\nmodules:\n  - path: [unclosed\n');
  assert.throws(() => findModuleRoots(undefined, dir), (error: unknown) => {
    assert.ok(error instanceof GeneratorError);
    assert.equal(error.issues[0]!.file, 'buf.yaml');
    assert.ok((error.issues[0]!.line ?? 0) > 1, `expected the line of the mistake, got ${error.issues[0]!.line}`);
    return true;
  });
});

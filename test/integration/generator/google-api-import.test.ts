// A proto importing google/api/annotations.proto generates with the files tusk-grpc ships (protos/), found
// through the installed package (node_modules/tusk-grpc), with the user's buf.yaml as it is and no network.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createFileRegistry, fromBinary, getOption } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { REPO_ROOT, copyFixture, errorLines, LOCATED_LINE, removeDir, runCli } from './cli-harness.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

async function fixture(installed: boolean): Promise<string> {
  const dir = await copyFixture('gateway');
  dirs.push(dir);
  if (installed) {
    await mkdir(join(dir, 'node_modules'));
    await symlink(REPO_ROOT, join(dir, 'node_modules', 'tusk-grpc'), 'dir');
  }
  return dir;
}

test('generate compiles a proto importing google/api/annotations.proto, and the descriptor keeps its http rules', async () => {
  const dir = await fixture(true);
  const bufYaml = await readFile(join(dir, 'buf.yaml'), 'utf8');
  const result = await runCli(['generate'], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readFile(join(dir, 'buf.yaml'), 'utf8'), bufYaml, 'buf.yaml is left as it was');
  const generated = await readFile(join(dir, 'gen', 'fixture', 'gateway', 'v1', 'catalog.tusk.ts'), 'utf8');
  const base64 = /const fileDescriptorSet = "([^"]+)"/.exec(generated)?.[1];
  assert.ok(base64, 'the generated descriptor embeds its FileDescriptorSet');
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, Buffer.from(base64, 'base64')));
  const http = registry.getExtension('google.api.http');
  assert.ok(http, 'google/api/annotations.proto travels in the set');
  const getItem = registry.getService('fixture.gateway.v1.CatalogService')!.methods.find((method) => method.name === 'GetItem')!;
  const rule = getOption(getItem, http) as { pattern: { case: string; value: string }; additionalBindings: unknown[] };
  assert.deepEqual([rule.pattern.case, rule.pattern.value, rule.additionalBindings.length], ['get', '/v1/items/{sku}', 2]);
  // Nothing tusk-specific is generated for the shipped files: they are not the user's services.
  assert.equal(existsSync(join(dir, 'gen', 'google', 'api', 'annotations.tusk.ts')), false);
});

test('without the package in reach, the missing import is a located error (the shipped folder is what resolves it)', async () => {
  const dir = await fixture(false);
  const result = await runCli(['generate'], dir);
  assert.equal(result.code, 1);
  const lines = errorLines(result.stderr);
  assert.ok(lines.length > 0 && lines.every((line) => LOCATED_LINE.test(line)), result.stderr);
  assert.match(result.stderr, /proto\/fixture\/gateway\/v1\/catalog\.proto:5:1: .*does not exist/);
  assert.equal(existsSync(join(dir, 'gen')), false, 'no half-written output');
});

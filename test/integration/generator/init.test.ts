// `tusk-grpc init` scaffolds a service that `check` accepts, and never overwrites a file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { removeDir, runCli, runCommand } from './cli-harness.js';

const SCAFFOLD = [
  'proto/acme/inventory/v1/inventory.proto',
  'proto/acme/inventory/v1/inventory.tsk',
  'buf.yaml',
  'buf.gen.yaml',
  'tsconfig.json',
  'src/inventory-service.ts',
];

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-gen-init-'));
});
after(async () => {
  await removeDir(dir);
});

test('init scaffolds a proto, its .tsk, buf.yaml, buf.gen.yaml, tsconfig.json and a service class; check accepts them', async () => {
  await writeFile(join(dir, 'package.json'), '{\n  "name": "inventory",\n  "version": "1.0.0"\n}\n');
  const result = await runCli(['init', 'acme.inventory.v1.InventoryService'], dir);
  assert.equal(result.code, 0, result.stderr);
  for (const path of SCAFFOLD) assert.match(result.stdout, new RegExp(`^created ${path}$`, 'm'));
  assert.match(result.stdout, /^updated package\.json/m);
  assert.equal(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).type, 'module');
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
  assert.doesNotMatch(result.stdout, /^(created|updated) /m);
  assert.equal(await readFile(tsk, 'utf8'), '# edited by hand\n[service]\nname: "acme.inventory.v1.InventoryService"\n');
});

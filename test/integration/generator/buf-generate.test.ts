// `buf generate` run directly (no tusk-grpc CLI): with the top-level
// buf.gen.yaml it writes what `tusk-grpc generate` writes, and protoc-gen-tusk
// in standalone mode validates the .tsk files itself: a broken or unfound
// descriptor fails the run with file:line:col lines instead of silent defaults.
// Relies on dist/ being built (the README's test command builds first).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { TS_PROTO_OPTIONS } from '../../../generator/toolchain.js';
import { LOCATED_LINE, REPO_ROOT, WHOLE_FILE_LINE, copyFixture, removeDir, runCli, runCommand, snapshotTree, type CliResult } from './cli-harness.js';

const BUF = join(REPO_ROOT, 'node_modules', '@bufbuild', 'buf', 'bin', 'buf');
const TUSK_PLUGIN = join(REPO_ROOT, 'dist', 'generator', 'protoc-gen-tusk.js');
const TS_PROTO_PLUGIN = join(REPO_ROOT, 'node_modules', 'ts-proto', 'protoc-gen-ts_proto');

function runBuf(args: readonly string[], cwd: string): Promise<CliResult> {
  return runCommand(process.execPath, [BUF, ...args], cwd, 120_000);
}

async function assertSameTrees(actualDir: string, expectedDir: string): Promise<void> {
  const actual = await snapshotTree(actualDir);
  const expected = await snapshotTree(expectedDir);
  assert.ok(expected.size > 0, `${expectedDir} is empty`);
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [file, bytes] of actual) assert.ok(bytes.equals(expected.get(file)!), `${file} differs between buf generate and tusk-grpc generate`);
}

/** A buf.gen.yaml for a fixture copy: the repository's plugins by absolute path, protoc-gen-tusk with `tuskOptions`. */
async function writeTemplate(dir: string, tuskOptions: readonly string[]): Promise<void> {
  const list = (items: readonly string[]): string => items.map((item) => `\n      - ${item}`).join('');
  await writeFile(
    join(dir, 'buf.gen.yaml'),
    `version: v2
plugins:
  - local: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TS_PROTO_PLUGIN)}]
    out: gen
    strategy: all
    opt:${list(TS_PROTO_OPTIONS)}
  - local: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TUSK_PLUGIN)}]
    out: gen
    strategy: all
    opt:${list(['target=ts', 'import_extension=js', ...tuskOptions])}
`,
  );
}

/** The located lines of a failed buf run; buf prefixes the first one with "Failure: plugin <command>: ". */
function locatedLines(result: CliResult): string[] {
  assert.equal(result.code, 1, `expected buf to fail\n${result.stdout}${result.stderr}`);
  return result.stderr
    .split('\n')
    .map((line) => line.replace(/^Failure: plugin .*?protoc-gen-tusk\.js: /, '').trim())
    .filter((line) => line !== '');
}

const dirs: string[] = [];
before(() => assert.ok(existsSync(TUSK_PLUGIN), 'dist/ is not built: run npm run build first'));
after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-gen-buf-'));
  dirs.push(dir);
  return dir;
}

async function fixture(name: string): Promise<string> {
  const dir = await copyFixture(name);
  dirs.push(dir);
  return dir;
}

test('buf generate with the top-level buf.gen.yaml writes byte-identical files to tusk-grpc generate for proto/', async () => {
  // A copy of the repository's generation inputs, so both outputs sit where buf.gen.yaml's "gen" would and the
  // repository's own gen/ is untouched; its plugin paths (node_modules/, dist/) are links to the repository's.
  const out = await tempDir();
  for (const file of ['buf.yaml', 'buf.gen.yaml']) await cp(join(REPO_ROOT, file), join(out, file));
  // protos/ holds the shipped google/api files, a module of the repository's buf.yaml (the example protos import them).
  for (const folder of ['proto', 'protos']) await cp(join(REPO_ROOT, folder), join(out, folder), { recursive: true });
  for (const linked of ['node_modules', 'dist']) await symlink(join(REPO_ROOT, linked), join(out, linked), 'dir');
  const buf = await runBuf(['generate', '--template', 'buf.gen.yaml'], out);
  assert.equal(buf.code, 0, buf.stderr);
  const cli = await runCli(['generate', '--out', 'cli-gen'], out);
  assert.equal(cli.code, 0, cli.stderr);
  await assertSameTrees(join(out, 'gen'), join(out, 'cli-gen'));
  const files = [...(await snapshotTree(join(out, 'cli-gen'))).keys()];
  assert.ok(files.includes('user/v1/user.tusk.ts') && files.includes('order/v1/order.tusk.ts') && files.includes('openapi.json'), files.join(', '));
  // Each descriptor records its .tsk relative to the generated file, where the runtime looks for it.
  const user = await readFile(join(out, 'gen', 'user', 'v1', 'user.tusk.ts'), 'utf8');
  const recorded = /descriptorSource: new URL\("([^"]+)", import\.meta\.url\)/.exec(user)?.[1];
  assert.equal(recorded, '../../../proto/user/v1/user.tsk');
  assert.equal(fileURLToPath(new URL(recorded, pathToFileURL(join(out, 'gen', 'user', 'v1', 'user.tusk.ts')))), join(out, 'proto', 'user', 'v1', 'user.tsk'));
});

describe('protoc-gen-tusk standalone (buf generate without tusk-grpc)', () => {
  test('finds the module root in buf.yaml by default and writes what tusk-grpc generate writes', async () => {
    // The unseen fixture's module is "protos", so a plugin assuming "proto" or "." would find no .tsk.
    const dir = await fixture('unseen');
    await writeTemplate(dir, []);
    const buf = await runBuf(['generate'], dir);
    assert.equal(buf.code, 0, buf.stderr);
    const cli = await runCli(['generate', '--out', 'cli-gen'], dir);
    assert.equal(cli.code, 0, cli.stderr);
    await assertSameTrees(join(dir, 'gen'), join(dir, 'cli-gen'));
    const invoices = await readFile(join(dir, 'gen', 'acme', 'platform', 'billing', 'v2', 'invoices.tusk.ts'), 'utf8');
    assert.match(invoices, /descriptorFile: "acme\/platform\/billing\/v2\/invoices\.tsk"/, 'the descriptor was found and embedded');
  });

  test('a broken .tsk fails the run with every file:line:col message and no files written', async () => {
    const dir = await fixture('shop');
    await writeTemplate(dir, ['module=proto']);
    const tsk = join(dir, 'proto', 'catalog', 'v1', 'catalog.tsk');
    const text = await readFile(tsk, 'utf8');
    const broken = text.replace('[service]\n', '[service]\nbogus_key: 1\n').replace('timeout: "1s"', 'timeout: "soon"');
    assert.notEqual(broken, text);
    await writeFile(tsk, broken);
    const lines = locatedLines(await runBuf(['generate'], dir));
    for (const line of lines) assert.match(line, LOCATED_LINE);
    const bogusLine = broken.split('\n').indexOf('bogus_key: 1') + 1;
    assert.ok(lines.some((line) => line.startsWith(`proto/catalog/v1/catalog.tsk:${bogusLine}:1: `) && line.includes('bogus_key')), lines.join('\n'));
    const timeoutLine = broken.split('\n').findIndex((line) => line.includes('"soon"')) + 1;
    assert.ok(lines.some((line) => line.startsWith(`proto/catalog/v1/catalog.tsk:${timeoutLine}:`)), lines.join('\n'));
    assert.equal(existsSync(join(dir, 'gen')), false, 'no file may be written when a descriptor is broken');
  });

  test('a .tsk syntax error is reported at its position', async () => {
    const dir = await fixture('shop');
    await writeTemplate(dir, []);
    const tsk = join(dir, 'proto', 'catalog', 'v1', 'catalog.tsk');
    const text = await readFile(tsk, 'utf8');
    await writeFile(tsk, `${text}oops\n`);
    const lines = locatedLines(await runBuf(['generate'], dir));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, new RegExp(`^proto/catalog/v1/catalog\\.tsk:${text.split('\n').length}:\\d+: `));
  });

  test('a module root where the protos are not fails instead of falling back to defaults', async () => {
    const dir = await fixture('shop');
    await writeTemplate(dir, ['module=elsewhere']);
    const lines = locatedLines(await runBuf(['generate'], dir));
    assert.ok(lines.length > 0);
    for (const line of lines) assert.match(line, WHOLE_FILE_LINE);
    assert.ok(lines.some((line) => line.startsWith('catalog/v1/catalog.proto: ') && line.includes('module=')), lines.join('\n'));
    assert.equal(existsSync(join(dir, 'gen')), false);
  });

  test('an unknown plugin option is refused', async () => {
    const dir = await fixture('shop');
    await writeTemplate(dir, ['modul=proto']);
    const result = await runBuf(['generate'], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown option "modul"/);
  });
});

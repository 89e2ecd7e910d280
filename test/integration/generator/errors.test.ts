// User errors: exit code 1, every error line `file:line:col: message` (or
// `file: message` when nothing in the file is to blame), no stack trace, and
// the output folder byte-identical to before the run.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LOCATED_LINE, WHOLE_FILE_LINE, copyFixture, errorLines, removeDir, runCli, snapshotTree, type CliResult } from './cli-harness.js';

const TSK = 'proto/catalog/v1/catalog.tsk';
const PROTO = 'proto/catalog/v1/catalog.proto';

interface Located {
  file: string;
  line: number;
  column: number;
  message: string;
}

function located(result: CliResult): Located[] {
  assert.equal(result.code, 1, `expected exit 1, got ${result.code}\n${result.stdout}${result.stderr}`);
  const lines = errorLines(result.stderr);
  assert.ok(lines.length > 0, 'expected error lines on stderr');
  return lines.map((line) => {
    // A whole-file problem (a hand-written file in gen/) has no position to point at.
    const match = LOCATED_LINE.exec(line) ?? WHOLE_FILE_LINE.exec(line);
    assert.ok(match?.groups, `not a file:line:col: message (or file: message) line: ${JSON.stringify(line)}`);
    assert.doesNotMatch(line, /\bat .*\.js:\d+/, 'no stack traces for user errors');
    const { file, line: lineNo, column, message } = match.groups as Record<string, string | undefined>;
    return { file: file!, line: Number(lineNo ?? 0), column: Number(column ?? 0), message: message! };
  });
}

async function editFile(dir: string, path: string, edit: (text: string) => string): Promise<void> {
  const full = join(dir, path);
  const before = await readFile(full, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, `the edit of ${path} changed nothing`);
  await writeFile(full, after);
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `${needle} not found`);
  return index + 1;
}

describe('generate refuses bad input and leaves the output folder as it was', () => {
  let dir = '';
  let previous = new Map<string, Buffer>();

  before(async () => {
    dir = await copyFixture('shop');
    const first = await runCli(['generate'], dir);
    assert.equal(first.code, 0, first.stderr);
    previous = await snapshotTree(join(dir, 'gen'));
    assert.ok(previous.size > 0);
  });
  after(async () => {
    await removeDir(dir);
  });

  /** Runs generate on a variant of the fixture, then restores the fixture files it changed. */
  async function generateBroken(paths: readonly string[], change: () => Promise<void>): Promise<Located[]> {
    const originals = await Promise.all(paths.map((path) => readFile(join(dir, path))));
    await change();
    try {
      const result = await runCli(['generate'], dir);
      const issues = located(result);
      const after = await snapshotTree(join(dir, 'gen'));
      assert.deepEqual([...after.keys()], [...previous.keys()], 'the set of files under gen/ changed');
      for (const [file, bytes] of after) assert.ok(bytes.equals(previous.get(file)!), `gen/${file} changed`);
      const leftovers = (await readdir(dir)).filter((name) => name.startsWith('.gen'));
      assert.deepEqual(leftovers, [], 'no staging folder is left behind');
      return issues;
    } finally {
      await Promise.all(paths.map((path, index) => writeFile(join(dir, path), originals[index]!)));
    }
  }

  test('a .tsk syntax error points at the offending character', async () => {
    const issues = await generateBroken([TSK], () =>
      editFile(dir, TSK, (text) => text.replace('balancer: "round_robin"', 'balancer: "round_robin" @exec("rm -rf /")')),
    );
    const line = lineOf(await readFile(join(dir, TSK), 'utf8'), 'balancer:');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.file, TSK);
    assert.equal(issues[0]!.line, line);
    assert.equal(issues[0]!.column, 'balancer: "round_robin" '.length + 1);
  });

  test('an unknown method under [methods] is reported with a suggestion, together with other schema errors', async () => {
    const issues = await generateBroken([TSK], () =>
      editFile(dir, TSK, (text) => `${text.replace('timeout: "1s"', 'timeout: "soon"')}GetProdcut { idempotent: true }\n`),
    );
    const text = (await readFile(join(dir, `${TSK}`), 'utf8')).replace('timeout: "1s"', 'timeout: "soon"');
    const unknown = issues.find((issue) => issue.message.includes('unknown method'));
    assert.ok(unknown, JSON.stringify(issues));
    assert.equal(unknown.file, TSK);
    assert.equal(unknown.line, text.split('\n').length);
    assert.equal(unknown.column, 1);
    assert.match(unknown.message, /"GetProdcut".*did you mean "GetProduct"/);
    const duration = issues.find((issue) => issue.line === lineOf(text, 'timeout: "soon"'));
    assert.ok(duration, `the bad duration is reported too: ${JSON.stringify(issues)}`);
  });

  test('an unknown method in a [dependencies] entry for a generated service is reported at generation, with a suggestion', async () => {
    const entry = 'admin { service: "catalog.v1.CatalogAdmin", methods { Reindx { timeout: "5s" } } }';
    const issues = await generateBroken([TSK], () => editFile(dir, TSK, (text) => `${text}\n[dependencies]\n${entry}\n`));
    const text = await readFile(join(dir, TSK), 'utf8');
    assert.deepEqual(issues, [{
      file: TSK,
      line: `${text}\n[dependencies]\n`.split('\n').length,
      column: entry.indexOf('Reindx') + 1,
      message: 'unknown method "Reindx" of catalog.v1.CatalogAdmin in [dependencies] admin.methods (did you mean "Reindex"?)',
    }]);
  });

  test('a proto syntax error is reported at its position in the .proto file', async () => {
    let brokenLine = 0;
    const issues = await generateBroken([PROTO], () =>
      editFile(dir, PROTO, (text) => {
        brokenLine = lineOf(text, 'message GetProductRequest');
        return text.replace('message GetProductRequest {', 'message GetProductRequest {{');
      }),
    );
    assert.ok(issues.every((issue) => issue.file === PROTO));
    assert.ok(issues.some((issue) => issue.line === brokenLine), JSON.stringify(issues));
  });

  test('a proto that refers to an unknown type is reported at the reference', async () => {
    let brokenLine = 0;
    const issues = await generateBroken([PROTO], () =>
      editFile(dir, PROTO, (text) => {
        brokenLine = lineOf(text, 'rpc GetProduct(');
        return text.replace('rpc GetProduct(GetProductRequest)', 'rpc GetProduct(GetProductReq)');
      }),
    );
    assert.deepEqual(
      issues.map((issue) => [issue.file, issue.line]),
      [[PROTO, brokenLine]],
    );
    assert.match(issues[0]!.message, /GetProductReq/);
  });

  test('a hand-written file in the output folder makes generate refuse to replace it', async () => {
    const handWritten = join(dir, 'gen', 'notes.ts');
    await writeFile(handWritten, 'export const mine = 1;\n');
    previous.set('notes.ts', await readFile(handWritten));
    try {
      const issues = await generateBroken([], async () => {});
      assert.deepEqual(issues.map((issue) => issue.file), ['gen/notes.ts']);
      assert.match(issues[0]!.message, /not a generated file/);
    } finally {
      await removeDir(handWritten);
      previous.delete('notes.ts');
    }
  });
});

describe('check and command-line errors', () => {
  let dir = '';
  before(async () => {
    dir = await copyFixture('shop');
  });
  after(async () => {
    await removeDir(dir);
  });

  test('check validates and writes nothing', async () => {
    const before = await readdir(dir);
    const result = await runCli(['check'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^checked 2 proto files and 1 descriptor: ok/);
    assert.deepEqual(await readdir(dir), before);
  });

  test('--verbose (or a terminal) shows what was read and written, and how long it took', async () => {
    const result = await runCli(['generate', '--verbose', '--out', 'shown'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /read buf\.yaml: 2 proto files \(\d+(ms|\.\d+s)\)/);
    assert.match(result.stderr, /validated 1 descriptor: proto\/catalog\/v1\/catalog\.tsk/);
    assert.match(result.stderr, /wrote shown\/catalog\/v1\/catalog\.tusk\.ts/);
    assert.match(result.stdout, /^generated 5 files into shown in \d+(ms|\.\d+s)\n$/);
    const quiet = await runCli(['generate', '--out', 'shown'], dir);
    assert.equal(quiet.stderr, '', 'not a terminal: only the summary line');
    await removeDir(join(dir, 'shown'));
  });

  test('check reports descriptor errors like generate does', async () => {
    await editFile(dir, TSK, (text) => `${text}NoSuchRpc { idempotent: true }\n`);
    const issues = located(await runCli(['check'], dir));
    assert.equal(issues[0]!.file, TSK);
    assert.match(issues[0]!.message, /unknown method "NoSuchRpc"/);
    assert.equal(existsSync(join(dir, 'gen')), false);
  });

  test('a folder without buf.yaml, an unknown command and a bad service name are one line each, with no made-up position', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tusk-gen-nobuf-'));
    try {
      const missing = wholeFile(await runCli(['generate'], empty));
      assert.equal(missing.file, 'buf.yaml');
      assert.match(missing.message, /no buf\.yaml here or in a folder above/);
      assert.equal(existsSync(join(empty, 'gen')), false);
    } finally {
      await removeDir(empty);
    }
    const unknown = wholeFile(await runCli(['frobnicate'], dir));
    assert.equal(unknown.file, 'tusk-grpc');
    assert.match(unknown.message, /unknown command "frobnicate"/);
    assert.equal(wholeFile(await runCli(['init', 'NoPackage'], dir)).file, 'tusk-grpc');
    assert.equal(wholeFile(await runCli(['generate', '--bogus'], dir)).file, 'tusk-grpc');
  });

  test('no command at all prints the usage and fails; --help succeeds', async () => {
    const bare = await runCli([], dir);
    assert.equal(bare.code, 1, 'a script calling tusk-grpc without a command must notice');
    assert.match(bare.stderr, /^usage:/);
    const help = await runCli(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage:/);
  });

  test('buf.yaml is found in a folder above, and gen/ is written beside it', async () => {
    const project = await copyFixture('shop');
    try {
      const sub = join(project, 'proto', 'catalog');
      const result = await runCli(['generate'], sub);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(existsSync(join(project, 'gen', 'catalog', 'v1', 'catalog.tusk.ts')), 'gen/ beside buf.yaml');
      assert.equal(existsSync(join(sub, 'gen')), false, 'not in the folder the command ran in');
      const check = await runCli(['check'], sub);
      assert.equal(check.code, 0, check.stderr);
    } finally {
      await removeDir(project);
    }
  });
});

/** The one error line of a failed run that has no position: `file: message`. */
function wholeFile(result: CliResult): { file: string; message: string } {
  assert.equal(result.code, 1, `expected exit 1, got ${result.code}\n${result.stdout}${result.stderr}`);
  const lines = errorLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.doesNotMatch(lines[0]!, LOCATED_LINE, 'no made-up 1:1 position');
  const match = WHOLE_FILE_LINE.exec(lines[0]!);
  assert.ok(match?.groups, `not a "file: message" line: ${JSON.stringify(lines[0])}`);
  return { file: match.groups.file!, message: match.groups.message! };
}

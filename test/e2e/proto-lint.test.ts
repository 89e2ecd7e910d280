import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bufBinary = createRequire(import.meta.url).resolve('@bufbuild/buf/bin/buf');

test('the example protos pass buf lint with the default (STANDARD) rules', async () => {
  const { stdout, stderr } = await run(bufBinary, ['lint'], { cwd: repoRoot, timeout: 60_000 });
  assert.equal(stdout.trim(), '', 'buf lint reported problems');
  assert.equal(stderr.trim(), '');
});

test('the same lint fails on a proto that breaks the rules, so the check above can fail', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-lint-'));
  try {
    await writeFile(join(dir, 'bad.proto'), 'syntax = "proto3";\npackage Bad;\nmessage lower_case {}\n');
    await writeFile(join(dir, 'buf.yaml'), 'version: v2\nlint:\n  use:\n    - STANDARD\n');
    await assert.rejects(run(bufBinary, ['lint'], { cwd: dir, timeout: 60_000 }), (error: { stdout?: string }) => /bad\.proto:\d+:\d+:/.test(error.stdout ?? ''));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

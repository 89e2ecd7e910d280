// The suite's turn-taker (test/helpers/run-alone.ts): with two files at a
// time, a file marked "// test: runs alone" never overlaps another file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TURN_TAKER = fileURLToPath(new URL('../../helpers/run-alone.ts', import.meta.url));

const fixture = (name: string, log: string, alone: boolean): string => `${alone ? '// test: runs alone\n' : ''}
import { appendFileSync } from 'node:fs';
import { test } from 'node:test';
test('${name}', async () => {
  appendFileSync(${JSON.stringify(log)}, 'start ${name} ' + (performance.timeOrigin + performance.now()) + '\\n');
  await new Promise((resolve) => setTimeout(resolve, 300));
  appendFileSync(${JSON.stringify(log)}, 'end ${name} ' + (performance.timeOrigin + performance.now()) + '\\n');
});
`;

/** This file's environment minus the test runner's mark, so the nested `--test` is a runner of its own. */
function runnerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

test('a file marked "runs alone" runs while no other file does, with two files at a time', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-run-alone-'));
  try {
    const log = join(dir, 'log');
    const names = ['a', 'b', 'c', 'd'];
    for (const name of names) await writeFile(join(dir, `${name}.test.mjs`), fixture(name, log, name === 'b'));
    await promisify(execFile)(process.execPath, [
      '--import', 'tsx', '--import', TURN_TAKER, '--test', '--test-concurrency=2', ...names.map((name) => join(dir, `${name}.test.mjs`)),
    ], { cwd: REPO_ROOT, timeout: 50_000, env: runnerEnv() });
    const spans = new Map<string, { start: number; end: number }>();
    for (const line of (await readFile(log, 'utf8')).trim().split('\n')) {
      const [edge, name, at] = line.split(' ') as ['start' | 'end', string, string];
      spans.set(name, { ...(spans.get(name) ?? { start: 0, end: 0 }), [edge]: Number(at) });
    }
    assert.deepEqual([...spans.keys()].sort(), names);
    const alone = spans.get('b')!;
    for (const name of ['a', 'c', 'd']) {
      const other = spans.get(name)!;
      assert.ok(other.end <= alone.start || other.start >= alone.end, `${name} (${JSON.stringify(other)}) overlapped the alone file (${JSON.stringify(alone)})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

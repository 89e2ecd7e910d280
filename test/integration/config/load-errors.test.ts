import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./load-error-child.ts', import.meta.url));
const TSK = [
  '[service]',
  'version: "1.0.0"',
  'port: @env("LOAD_PORT")',
  'metadata { zone: @env("LOAD_ZONE", null) }',
  '',
].join('\n');

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the child with this process' loader flags (tsx, conditions), minus the test runner's own. */
async function runChild(env: NodeJS.ProcessEnv, text = TSK, mode: 'embedded' | 'source' = 'embedded'): Promise<Outcome & { tsk: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-load-errors-'));
  try {
    const tsk = join(dir, 'load.tsk');
    await writeFile(tsk, text);
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
    const child = spawn(process.execPath, [...execArgv, CHILD], {
      env: { PATH: process.env.PATH, CHILD_MODE: mode, CHILD_TSK: tsk, CHILD_TSK_NAME: 'load/v1/load.tsk', TUSK_REGISTRY_DIR: join(dir, 'registry'), TUSK_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    return { code, stdout, stderr, tsk };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an @env without default whose variable is unset ends the process with one positioned line and exit 1', async () => {
  const outcome = await runChild({});
  assert.equal(outcome.stderr,
    'load/v1/load.tsk:3:7: [service] port: @env("LOAD_PORT") has no default and LOAD_PORT is not set: set LOAD_PORT, or write @env("LOAD_PORT", default) (null leaves the key unset)\n');
  assert.equal(outcome.code, 1);
  assert.equal(outcome.stdout, '', 'the server never started');
});

test('a bad environment value ends the process with one positioned line and exit 1', async () => {
  const outcome = await runChild({ LOAD_PORT: 'eighty' });
  assert.equal(outcome.stderr, 'load/v1/load.tsk:3:7: [service] port: LOAD_PORT="eighty" is not a number\n');
  assert.equal(outcome.code, 1);
});

test('with the variable set the service starts; a null default leaves its key out', async () => {
  const outcome = await runChild({ LOAD_PORT: '0' });
  assert.equal(outcome.stderr, '');
  assert.match(outcome.stdout, /^started on \d+\n$/);
  assert.equal(outcome.code, 0);
});

test('a .tsk read when the process starts: its errors are one positioned line too, its values apply', async () => {
  const broken = await runChild({ LOAD_PORT: '0' }, TSK.replace('version: "1.0.0"', 'version: 1.0.0'), 'source');
  assert.equal(broken.stderr, `${broken.tsk}:2:10: invalid number "1.0.0" (strings, durations included, must be quoted)\n`);
  assert.equal(broken.code, 1);
  const unset = await runChild({}, TSK, 'source');
  assert.match(unset.stderr, /^\/.*load\.tsk:3:7: \[service\] port: @env\("LOAD_PORT"\) has no default and LOAD_PORT is not set: [^\n]*\n$/);
  assert.equal(unset.code, 1);
  const started = await runChild({ LOAD_PORT: '0' }, TSK, 'source');
  assert.equal(started.stderr, '');
  assert.equal(started.code, 0);
});

test('a one-off script creating a client at module top level fails the same way, and exits by itself when all is set', async () => {
  const unset = await runChild({ CHILD_ROLE: 'client' });
  assert.equal(unset.stderr,
    'load/v1/load.tsk:3:7: [service] port: @env("LOAD_PORT") has no default and LOAD_PORT is not set: set LOAD_PORT, or write @env("LOAD_PORT", default) (null leaves the key unset)\n');
  assert.equal(unset.code, 1);
  assert.equal(unset.stdout, '');
  const broken = await runChild({ CHILD_ROLE: 'client', LOAD_PORT: '0' }, TSK.replace('version: "1.0.0"', 'version: 1.0.0'), 'source');
  assert.equal(broken.stderr, `${broken.tsk}:2:10: invalid number "1.0.0" (strings, durations included, must be quoted)\n`);
  assert.equal(broken.code, 1);
  const fine = await runChild({ CHILD_ROLE: 'client', LOAD_PORT: '0' });
  assert.deepEqual([fine.stdout, fine.stderr, fine.code], ['client created\n', '', 0]);
});

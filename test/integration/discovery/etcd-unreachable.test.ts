// A server whose etcd cannot be reached fails its start-up with one line on
// stderr and exit code 1: no grpc-js or etcd3 stack, no hang. Real child
// process, real TuskServer, etcd at an address nobody listens on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const SERVER = fileURLToPath(new URL('../client/etcd-echo-server-process.ts', import.meta.url));
const ONE_LINE_FATAL = new URL('./fixtures/one-line-fatal.ts', import.meta.url).href;

function runServer(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const child = spawn(process.execPath, [...execArgv, '--import', ONE_LINE_FATAL, SERVER], {
    env: { ...process.env, TUSK_LOG_LEVEL: 'silent', ECHO_PREFIX: 'unreachable', ECHO_TTL: '5s', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('etcd unreachable at start-up: one line naming the address and where it came from, exit 1', { timeout: 60_000 }, async () => {
  const result = await runServer({ TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: '127.0.0.1:1' }, 45_000);
  assert.notEqual(result.code, null, 'the server hung instead of failing');
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, 'cannot reach etcd at 127.0.0.1:1 (TUSK_ETCD_ENDPOINTS): connection refused\n');
});

// Issue 10: a server that cannot start says why in one line on stderr and exits 1, no grpc-js stack.
// Real child processes, because the point is what an operator sees when main.ts lets start() fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./fixtures/start-on-port.ts', import.meta.url));

function runChild(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  return new Promise((resolve) => {
    execFile(process.execPath, [...execArgv, ENTRY], { env: { ...process.env, TUSK_LOG_LEVEL: 'silent', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

test('a port in use: "port N is already in use on 127.0.0.1", exit code 1', { timeout: 60_000 }, async () => {
  const { server, port } = await occupyPort();
  try {
    const result = await runChild({ START_PORT: String(port) });
    assert.equal(result.stderr, `port ${port} is already in use on 127.0.0.1\n`);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
  } finally {
    server.close();
  }
});

test('a bind host that is no address of this machine, any port: one line, no grpc-js "E No address added" before it', { timeout: 60_000 }, async () => {
  // 203.0.113.0/24 is reserved for documentation: no interface of the test machine has it.
  const result = await runChild({ START_HOST: '203.0.113.7', START_PORT: '0' });
  assert.equal(result.stderr, 'cannot listen on 203.0.113.7: no interface of this machine has that address\n');
  assert.equal(result.code, 1);
});

test('etcd discovery, a wildcard bind and a loopback TUSK_ADVERTISE_HOST: refused in one line, exit code 1', { timeout: 60_000 }, async () => {
  // Nothing listens at this etcd endpoint: the server must refuse before it tries to register.
  const result = await runChild({ START_HOST: '0.0.0.0', START_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: '127.0.0.1:1', TUSK_ADVERTISE_HOST: '127.0.0.1' });
  assert.match(result.stderr, /^refusing to register loopback address 127\.0\.0\.1 in etcd for a server bound to 0\.0\.0\.0: .*TUSK_ADVERTISE_HOST.*\n$/);
  assert.equal(result.code, 1);
});

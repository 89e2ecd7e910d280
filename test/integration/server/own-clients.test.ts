// Clients a service built with this.clientOf() belong to the server's life:
// after stop() (and the services' onStop()) they are closed, so a process whose
// server stopped exits by itself, also while discovery watches etcd.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';

const ENTRY = fileURLToPath(new URL('./fixtures/stop-with-client.ts', import.meta.url));

let etcd: EtcdServer;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd.destroy();
});

test('a stopped server closes the clients its services built with clientOf(): the process exits by itself under etcd', { timeout: 60_000 }, async () => {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const result = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [...execArgv, ENTRY],
      { env: { ...process.env, TUSK_LOG_LEVEL: 'silent', TUSK_ETCD_ENDPOINTS: etcd.endpoint }, timeout: 20_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, signal: error?.signal ?? null, stdout, stderr }),
    );
  });
  assert.equal(result.stdout, 'stopped\n', result.stderr);
  assert.equal(result.signal, null, 'the process had to be killed: something kept it alive after stop()');
  assert.equal(result.code, 0, result.stderr);
});

// One-off scripts and jobs exit by themselves under etcd: a process that has
// finished its calls and disposed of its client (`await using`) does not hang
// on the discovery watch. Real etcd, a real TuskServer child, a real client child.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { spawnEtcdEchoChild, type EtcdEchoChild } from './etcd-echo-children.js';

const SCRIPT = fileURLToPath(new URL('./one-off-client.ts', import.meta.url));
const PREFIX = 'one-off';

let etcd: EtcdServer;
let server: EtcdEchoChild | undefined;
before(async () => {
  etcd = await startEtcd();
  server = await spawnEtcdEchoChild({ etcdEndpoint: etcd.endpoint, prefix: PREFIX, ttl: '5s' });
});
after(async () => {
  await server?.kill();
  await etcd?.destroy();
});

test('a one-off client script under etcd exits 0 by itself once its calls are done', { timeout: 60_000 }, async () => {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const child = spawn(process.execPath, [...execArgv, SCRIPT], {
    env: { ...process.env, TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd.endpoint, ECHO_PREFIX: PREFIX, TUSK_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // Generous: loading tsx and the runtime takes seconds on a loaded machine; a hang never ends.
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  assert.equal(signal, null, `the script did not exit by itself after its call:\n${output}`);
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`^reply once from ${server!.instance}$`, 'm'));
});

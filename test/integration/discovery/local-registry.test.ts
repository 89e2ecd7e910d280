import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '../../../src/discovery/index.js';
import { waitUntil } from '../../helpers/wait.js';
import { EndpointRecorder } from './endpoint-recorder.js';

const SERVICE = 'user.v1.UserService';
const REGISTRANT = fileURLToPath(new URL('./fixtures/local-registrant.ts', import.meta.url));

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-local-registry-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function local(dir: string, ttlMs: number) {
  return createRegistry({ provider: 'local', endpoints: [], prefix: '', ttlMs, dir });
}

async function startRegistrant(dir: string, address: string, ttlMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=tusk-source', '--import', 'tsx', REGISTRANT, dir, SERVICE, address, String(ttlMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(() => output.includes('registered') || child.exitCode !== null, 30_000, 'the child to register');
  assert.equal(child.exitCode, null, 'the registrant started');
  return child;
}

test('local: an instance registered by another process appears, and disappears after the TTL when killed -9', async () => {
  await withDir(async (dir) => {
    const ttlMs = 1_500;
    const registry = local(dir, ttlMs);
    const recorder = new EndpointRecorder();
    const child = await startRegistrant(dir, '127.0.0.1:7601', ttlMs);
    try {
      registry.watch(SERVICE, recorder.listener);
      await recorder.until(['127.0.0.1:7601']);
      child.kill('SIGKILL');
      await once(child, 'exit');
      const killedAt = Date.now();
      // The file stays behind (nobody removed it): only the stale heartbeat tells.
      assert.deepEqual(await readdir(join(dir, SERVICE)), ['127.0.0.1_7601.json']);
      await recorder.until([], 20_000);
      const goneAfterMs = Date.now() - killedAt;
      assert.ok(goneAfterMs >= ttlMs / 3, `gone only once the heartbeat aged (${goneAfterMs} ms)`);
    } finally {
      child.kill('SIGKILL');
      await registry.close();
    }
  });
});

test('local: a graceful stop in another process removes the instance at once', async () => {
  await withDir(async (dir) => {
    const ttlMs = 30_000; // so only deregistration can explain the disappearance
    const registry = local(dir, ttlMs);
    const recorder = new EndpointRecorder();
    const child = await startRegistrant(dir, '127.0.0.1:7602', ttlMs);
    try {
      registry.watch(SERVICE, recorder.listener);
      await recorder.until(['127.0.0.1:7602']);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
      await recorder.until([]);
      assert.deepEqual(await readdir(join(dir, SERVICE)), []);
    } finally {
      child.kill('SIGKILL');
      await registry.close();
    }
  });
});

test('local: contract value plus heartbeat on disk, rewritten if deleted, garbage ignored, deregister removes', async () => {
  await withDir(async (dir) => {
    const ttlMs = 900; // heartbeat every 300 ms
    const registry = local(dir, ttlMs);
    const recorder = new EndpointRecorder();
    try {
      const handle = await registry.register({ service: SERVICE, address: '127.0.0.1:7603', metadata: { weight: 2 } });
      const file = join(dir, SERVICE, '127.0.0.1_7603.json');
      const record = JSON.parse(await readFile(file, 'utf8'));
      assert.deepEqual(Object.keys(record), ['Op', 'Addr', 'Metadata', 'HeartbeatUnixMs']);
      assert.deepEqual({ Op: record.Op, Addr: record.Addr, Metadata: record.Metadata }, { Op: 0, Addr: '127.0.0.1:7603', Metadata: { weight: 2 } });

      await writeFile(join(dir, SERVICE, 'garbage.json'), '{"Op":0');
      registry.watch(SERVICE, recorder.listener);
      await recorder.until(['127.0.0.1:7603']);

      await unlink(file);
      await waitUntil(() => readFile(file, 'utf8').then(() => true, () => false), 15_000, 'the heartbeat to rewrite the file');
      await recorder.until(['127.0.0.1:7603']);
      for (const list of recorder.lists) assert.ok(!list.includes('garbage'), 'a broken file is never an endpoint');

      await handle.deregister();
      await handle.deregister(); // idempotent
      await recorder.until([]);
      assert.deepEqual(await readdir(join(dir, SERVICE)), ['garbage.json']);
    } finally {
      await registry.close();
    }
  });
});

test('static: lists the configured endpoints; register is a no-op', async () => {
  const registry = createRegistry({ provider: 'static', endpoints: ['127.0.0.1:7702', '127.0.0.1:7701'], prefix: '', ttlMs: 0, dir: '' });
  const recorder = new EndpointRecorder();
  const unwatch = registry.watch(SERVICE, recorder.listener);
  await recorder.until(['127.0.0.1:7701', '127.0.0.1:7702']);
  assert.deepEqual(recorder.lists, [['127.0.0.1:7701', '127.0.0.1:7702']]);
  const handle = await registry.register({ service: SERVICE, address: '127.0.0.1:1', metadata: {} });
  await handle.deregister();
  unwatch();
  await registry.close();
});

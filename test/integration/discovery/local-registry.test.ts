import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '../../../src/discovery/index.js';
import { OneLineError } from '../../../src/status/fatal.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';
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

test('local: files of instances silent for a few TTLs are pruned by watchers; fresh and recently dead ones stay', async () => {
  await withDir(async (dir) => {
    const ttlMs = 1_000;
    const serviceDir = join(dir, SERVICE);
    await mkdir(serviceDir, { recursive: true, mode: 0o700 });
    const record = (address: string, heartbeat: number) => JSON.stringify({ Op: 0, Addr: address, Metadata: {}, HeartbeatUnixMs: heartbeat });
    await writeFile(join(serviceDir, '127.0.0.1_7701.json'), record('127.0.0.1:7701', Date.now() - 60 * ttlMs));
    await writeFile(join(serviceDir, '127.0.0.1_7702.json'), record('127.0.0.1:7702', Date.now() - 2 * ttlMs));
    const leftoverTemp = join(serviceDir, '127.0.0.1_7703.json.999.abcd.tmp');
    await writeFile(leftoverTemp, '{');
    const longAgo = new Date(Date.now() - 60 * ttlMs);
    await utimes(leftoverTemp, longAgo, longAgo);
    const registry = local(dir, ttlMs);
    const recorder = new EndpointRecorder();
    try {
      await registry.register({ service: SERVICE, address: '127.0.0.1:7704', metadata: {} });
      registry.watch(SERVICE, recorder.listener);
      await recorder.until(['127.0.0.1:7704']);
      await waitUntil(async () => (await readdir(serviceDir)).sort().join() === '127.0.0.1_7702.json,127.0.0.1_7704.json', 10_000, 'the long-dead files to go');
    } finally {
      await registry.close();
    }
  });
});

test('local: the folder is created 0700, and one others may write is refused in one line, by registrants and watchers', async () => {
  await withDir(async (dir) => {
    const created = join(dir, 'fresh', 'registry');
    const registry = local(created, 1_000);
    try {
      await registry.register({ service: SERVICE, address: '127.0.0.1:7801', metadata: {} });
      assert.equal((await stat(created)).mode & 0o777, 0o700);
      assert.equal((await stat(join(created, SERVICE))).mode & 0o777, 0o700);
    } finally {
      await registry.close();
    }

    const open = join(dir, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    const logs: LogLine[] = [];
    const refused = createRegistry({ provider: 'local', endpoints: [], prefix: '', ttlMs: 1_000, dir: open }, { logger: captureLogger(logs) });
    const recorder = new EndpointRecorder();
    try {
      await assert.rejects(
        refused.register({ service: SERVICE, address: '127.0.0.1:7802', metadata: {} }),
        (error: unknown) => error instanceof OneLineError && error.message === `local registry folder ${open} is writable by other users (mode 777); use a folder only you can write (chmod 700) or set TUSK_REGISTRY_DIR`,
      );
      assert.deepEqual(await readdir(open), [], 'nothing written into it');
      // A watcher does not trust it either: a planted instance never becomes an endpoint.
      await mkdir(join(open, SERVICE));
      await writeFile(join(open, SERVICE, 'evil.json'), JSON.stringify({ Op: 0, Addr: '10.6.6.6:1', Metadata: {}, HeartbeatUnixMs: Date.now() }));
      refused.watch(SERVICE, recorder.listener);
      await waitUntil(() => logs.some((line) => line.msg === 'could not read the local registry; keeping the last known endpoints' && /writable by other users/.test(String((line.err as { message?: string })?.message))), 10_000, 'the watcher to refuse the folder');
      assert.deepEqual(recorder.lists, []);
    } finally {
      await refused.close();
    }
  });
});

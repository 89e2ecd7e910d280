// Rate limits at the edge: per instance in memory, shared by two gateways through a real redis-server, and
// with redis-server killed mid-test (each instance then counts on its own: no 5xx, never unlimited).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { waitUntil } from '../../helpers/wait.js';
import { calls, generateEdgeCatalog, type Backend, type Catalog } from './edge-fixture.js';

let dir: string;
let catalog: Catalog;
let backend: Backend;
let redis: RedisServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-gateway-rate-'));
  [catalog, redis] = await Promise.all([generateEdgeCatalog(), startRedis()]);
  backend = await catalog.backend();
});
after(async () => {
  await catalog?.close();
  await redis?.destroy();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function gatewayWith(name: string, lines: readonly string[]): Promise<string> {
  const config = join(dir, name);
  await writeFile(config, `${lines.join('\n')}\n`);
  // Short Redis timings: a dead store is noticed and a restarted one found within tens of ms.
  return (await backend.gateway({ config, redis: { maxReconnectDelayMs: 50, commandTimeoutMs: 100 } })).base;
}

/** `count` GETs spread over `bases` in turn, `parallel` at a time; the statuses as they came. */
async function burst(bases: readonly string[], count: number, headers: Record<string, string> = {}, parallel = 8): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, async (_, offset) => {
      const response = await fetch(`${bases[(start + offset) % bases.length]}/v1/items/rl`, { headers });
      await response.arrayBuffer();
      return response.status;
    });
    statuses.push(...(await Promise.all(batch)));
  }
  return statuses;
}

const tally = (statuses: readonly number[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
};

test('memory store, one gateway: exactly the limit passes, a method with its own limit counts apart', async () => {
  const base = await gatewayWith('memory.tsk', [
    '[rate_limit]', 'requests: 20', 'window: "60s"', 'store: "memory"', '', '[methods]', 'SearchItems { rate_limit { requests: 3, window: "60s" } }',
  ]);
  const before = calls(backend);
  assert.deepEqual(tally(await burst([base], 30)), { 200: 20, 429: 10 });
  assert.equal(calls(backend), before + 20, 'a refused request reached the upstream');
  const search = [];
  for (let i = 0; i < 4; i++) search.push(await fetch(`${base}/v1/items:search?query=x`));
  assert.deepEqual(search.map((response) => response.status), [200, 200, 200, 429]);
  assert.equal(search[0]!.headers.get('ratelimit-limit'), '3');
  assert.equal(search[2]!.headers.get('ratelimit-remaining'), '0');
  await Promise.all(search.map((response) => response.arrayBuffer()));
});

test('redis store, two gateways: one limit shared, within 5 %', async () => {
  const lines = ['[rate_limit]', 'requests: 100', 'window: "60s"', 'key: "api_key"', 'store: "redis"', 'redis_url: @env("TUSK_REDIS_URL", "redis://127.0.0.1:1")'];
  process.env.TUSK_REDIS_URL = redis.url;
  const bases = [await gatewayWith('redis-a.tsk', lines), await gatewayWith('redis-b.tsk', lines)];
  delete process.env.TUSK_REDIS_URL;
  const counts = tally(await burst(bases, 300, { 'x-api-key': 'shared-limit' }, 10));
  assert.deepEqual(Object.keys(counts).sort(), ['200', '429']);
  assert.ok(Math.abs(counts[200]! - 100) <= 5, `${counts[200]} of 300 passed, the limit is 100 across both`);
});

test('redis killed mid-test: no 5xx, each instance enforces the limit alone; back when redis is', async () => {
  const lines = ['[rate_limit]', 'requests: 20', 'window: "60s"', 'key: "api_key"', 'store: "redis"', `redis_url: "${redis.url}"`];
  const [a, b] = [await gatewayWith('kill-a.tsk', lines), await gatewayWith('kill-b.tsk', lines)];
  assert.deepEqual(tally(await burst([a, b], 10, { 'x-api-key': 'before-kill' })), { 200: 10 });
  await redis.kill();
  const onA = tally(await burst([a], 30, { 'x-api-key': 'before-kill' }));
  const onB = tally(await burst([b], 30, { 'x-api-key': 'before-kill' }));
  for (const [name, counts] of [['a', onA], ['b', onB]] as const) {
    assert.deepEqual(Object.keys(counts).sort(), ['200', '429'], `gateway ${name}: ${JSON.stringify(counts)}`);
    assert.ok(counts[200]! <= 20, `gateway ${name} let ${counts[200]} through with a limit of 20`);
  }
  await redis.start();
  // Shared again once both have reconnected: a fresh key's count seen through one is the other's too.
  await waitUntil(async () => {
    const key = { 'x-api-key': `after-restart-${Math.random()}` };
    await burst([a], 1, key);
    const response = await fetch(`${b}/v1/items/rl`, { headers: key });
    await response.arrayBuffer();
    return response.headers.get('ratelimit-remaining') === '18';
  }, 5000, 'both gateways counting in the restarted redis');
});

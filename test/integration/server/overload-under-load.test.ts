// test: runs alone (its bounds rest on the machine's capacity; see test/helpers/run-alone.ts)
// Overload protection under real load: a TuskServer child process whose
// handler costs CPU time and an async wait, driven by a separate load-generator
// process at multiples of its measured capacity. Bounds are generous ratios
// (the machine is shared): the figures themselves are bench/overload-bench.ts's.
// The handler is CPU-heavy (20 ms CPU + 20 ms wait: two calls saturate the one
// event loop), so the server is tuned as such a service would be: min_limit 2.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LoadResult } from '../../helpers/overload-load-generator.js';
import { spawnLoadGenerator, spawnOverloadServer, type LoadGenerator, type OverloadServer } from '../../helpers/overload-processes.js';
import { waitUntil } from '../../helpers/wait.js';

const CPU_MS = 20;
const WAIT_MS = 20;
const DEADLINE_MS = 1_000;

let server: OverloadServer;
let load: LoadGenerator;
let capacity = 0;
let unloadedP99 = 0;

const summary = (result: LoadResult) => JSON.stringify({ ...result, sentBySecond: undefined });
const open = (factor: number, durationMs: number, mix?: Parameters<LoadGenerator['run']>[0] extends infer C ? (C extends { mix?: infer M } ? M : never) : never) =>
  load.run({ op: 'open', address: server.address, rate: capacity * factor, durationMs, deadlineMs: DEADLINE_MS, ...(mix ? { mix } : {}) });

before(async () => {
  const work = { cpuMs: CPU_MS, waitMs: WAIT_MS };
  let unprotected: OverloadServer;
  [server, unprotected, load] = await Promise.all([
    spawnOverloadServer({ ...work, overload: { min_limit: 2, trust_priority_header: true } }),
    spawnOverloadServer({ ...work, overload: { enabled: false } }),
    spawnLoadGenerator(),
  ]);
  try {
    // Capacity: an identical server without protection, saturated by a closed loop (4 calls keep its CPU busy).
    const saturated = await load.run({ op: 'closed', address: unprotected.address, concurrency: 4, durationMs: 2_500, deadlineMs: 5_000 });
    capacity = saturated.goodput;
    assert.ok(capacity > 2, `capacity run: ${summary(saturated)}`);
  } finally {
    await unprotected.stop();
  }
  unloadedP99 = (await open(0.3, 2_500)).p99Ms;
});

after(async () => {
  await Promise.all([load?.stop(), server?.stop()]);
});

test('at 0.7× capacity almost nothing is shed', async () => {
  const result = await open(0.7, 3_000);
  assert.ok(result.sent > 0);
  assert.ok(result.shed <= Math.max(1, result.sent * 0.02), `0.7×: ${summary(result)}`);
  assert.ok(result.ok >= result.sent * 0.95, `0.7×: ${summary(result)}`);
});

test('at 2× and 5×: the excess is shed at once, goodput stays near capacity and accepted calls stay fast; critical calls succeed while sheddable ones are shed', async () => {
  const twice = await open(2, 3_000);
  assert.ok(twice.shed > 0, `2×: ${summary(twice)}`);
  // Includes the first second, while the limit comes down from its generous initial value.
  assert.ok(twice.goodput >= capacity * 0.3, `2× goodput ${twice.goodput} vs capacity ${capacity}: ${summary(twice)}`);

  const mix = [
    { method: 'create', weight: 0.05, label: 'critical' },
    { method: 'echo', weight: 0.25, label: 'default' },
    { method: 'echo', priority: 'sheddable', weight: 0.7, label: 'sheddable' },
  ] as const;
  const five = await open(5, 4_000, mix);
  const detail = `5× (capacity ${capacity.toFixed(1)}/s, unloaded p99 ${unloadedP99.toFixed(1)} ms): ${summary(five)}`;
  assert.ok(five.goodput >= capacity * 0.5, `goodput: ${detail}`);
  // Without protection nearly every call runs out of its 1 s deadline here (bench/overload-bench.ts, "off").
  // Accepted calls also wait for the loop before admission sees them, which on a shared 2-core machine is
  // most of their latency: the bound is generous, the figures are in BENCHMARKS.md.
  // (Without protection the calls that still succeed are the ones finishing just inside the deadline: > 10×.)
  assert.ok(five.p99Ms <= 10 * unloadedP99, `accepted p99: ${detail}`);
  const { critical, sheddable } = five.byClass as Record<string, { sent: number; ok: number; shed: number }>;
  assert.ok(critical!.ok >= critical!.sent * 0.8, `critical succeed: ${detail}`);
  assert.ok(sheddable!.shed >= sheddable!.sent * 0.5, `sheddable shed: ${detail}`);
  assert.ok(sheddable!.ok / sheddable!.sent < critical!.ok / critical!.sent, `sheddable refused first: ${detail}`);
});

test('shedding stops within a few seconds after the load drops', async () => {
  const calm = await open(0.5, 4_000);
  const lastShedSecond = calm.shedBySecond.reduce((last, shed, second) => (shed > 0 ? second : last), -1);
  assert.ok(lastShedSecond <= 2, `shed by second after the drop: ${calm.shedBySecond.join(',')}; ${summary(calm)}`);
  await waitUntil(() => server.lines.some((line) => line.msg === 'overload: shedding stopped'), 5_000, 'the "shedding stopped" log line');
  assert.equal(server.lines.filter((line) => line.msg === 'overload: shedding started').length >= 1, true);
});

// Overload protection: goodput and latency at multiples of a server's capacity,
// with protection on and off, in one run. Two identical TuskServer child
// processes (test/helpers/overload-server.ts: each call burns --cpu-ms of CPU
// time and awaits --wait-ms), one with `[server] overload` (on, --min-limit),
// one with `overload { enabled: false }` (what users got before: the baseline,
// a TuskServer that accepts everything). A separate load-generator process
// (test/helpers/overload-load-generator.ts) measures capacity with a closed loop
// against the unprotected server, then sends open-loop load (a fixed rate,
// whatever the answers; each call has a --deadline-ms deadline) at each level,
// alternating which server goes first per level.
//   node --conditions=tusk-source --import tsx bench/overload-bench.ts [--seconds 4] [--levels 0.3,0.7,2,5]
//        [--cpu-ms 20] [--wait-ms 20] [--min-limit 2] [--deadline-ms 1000] [--concurrency 8]
//        [--overload '{"tolerance":1.2,"latency_slack":"0ms"}']   (more keys of the protected server's overload block)
//        [--pin 1]   (both servers on CPU 1, the load generator on CPU 0, through taskset: load and server never share a core)
import { spawnLoadGenerator, spawnOverloadServer, type OverloadServer } from '../test/helpers/overload-processes.js';
import type { LoadResult } from '../test/helpers/overload-load-generator.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const number = (name: string, fallback: number) => Number(args.get(name) ?? fallback);
const seconds = number('seconds', 4);
const cpuMs = number('cpu-ms', 20);
const waitMs = number('wait-ms', 20);
const deadlineMs = number('deadline-ms', 1000);
const levels = (args.get('levels') ?? '0.3,0.7,2,5').split(',').map(Number);
const pinned = args.has('pin');
const [serverCpu, loadCpu] = pinned ? [1, 0] : [undefined, undefined];

const [on, off, load] = await Promise.all([
  spawnOverloadServer({ cpuMs, waitMs, overload: { min_limit: number('min-limit', 2), ...(JSON.parse(args.get('overload') ?? '{}') as object) }, cpu: serverCpu }),
  spawnOverloadServer({ cpuMs, waitMs, overload: { enabled: false }, cpu: serverCpu }),
  spawnLoadGenerator(loadCpu),
]);

try {
  // Warm both (JIT), then capacity: the unprotected server saturated by a closed loop.
  await Promise.all([on, off].map((server) => load.run({ op: 'closed', address: server.address, concurrency: 2, durationMs: 1_000, deadlineMs: 5_000 })));
  const saturated = await load.run({ op: 'closed', address: off.address, concurrency: number('concurrency', 8), durationMs: seconds * 1000, deadlineMs: 5_000 });
  const capacity = saturated.goodput;
  console.error(`capacity ${capacity.toFixed(1)} calls/s (closed loop, p99 ${saturated.p99Ms.toFixed(1)} ms)`);

  const results = new Map<string, LoadResult>();
  for (const [index, level] of levels.entries()) {
    const order: [string, OverloadServer][] = index % 2 === 0 ? [['on', on], ['off', off]] : [['off', off], ['on', on]];
    for (const [name, server] of order) {
      const result = await load.run({ op: 'open', address: server.address, rate: capacity * level, durationMs: seconds * 1000, deadlineMs });
      results.set(`${name}@${level}`, result);
      console.error(`${name} ${level}×: ok ${result.ok}/${result.sent}, shed ${result.shed}, expired ${result.expired}, p99 ${result.p99Ms.toFixed(1)} ms`);
    }
  }
  const stats = await on.stats();
  // "Max": the best goodput any run reached (a closed loop's round trips leave the server idle at times).
  const max = Math.max(capacity, ...[...results.values()].map((r) => r.goodput));
  const pct = (part: number, whole: number) => (whole === 0 ? '0' : ((100 * part) / whole).toFixed(part > 0 && part / whole < 0.01 ? 2 : 1));
  const lines = [
    `capacity (unprotected, closed loop): ${capacity.toFixed(1)} calls/s; max goodput of any run ${max.toFixed(1)} calls/s; handler ${cpuMs} ms CPU + ${waitMs} ms wait; deadline ${deadlineMs} ms; ${seconds} s per level; final limit ${stats.limit?.toFixed(1)}${pinned ? '; servers on CPU 1, load generator on CPU 0' : ''}`,
    '',
    '| protection | load | sent/s | goodput/s | goodput % of max | shed % | deadline missed % | p50 ms | p99 ms | p99 / unloaded p99 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of ['on', 'off']) {
    const unloaded = results.get(`${name}@${levels[0]}`)!.p99Ms;
    for (const level of levels) {
      const r = results.get(`${name}@${level}`)!;
      const missed = r.expired + r.tooShort;
      lines.push(
        `| ${name} | ${level}× | ${(r.sent / seconds).toFixed(1)} | ${r.goodput.toFixed(1)} | ${pct(r.goodput, max)} | ${pct(r.shed, r.sent)} | ${pct(missed, r.sent)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.ok === 0 ? '—' : (r.p99Ms / unloaded).toFixed(2)} |`,
      );
    }
  }
  console.log(lines.join('\n'));
} finally {
  await Promise.all([on.stop(), off.stop(), load.stop()]);
}

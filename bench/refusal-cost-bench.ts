// What a refused call costs the server that refuses it, against an accepted
// trivial call, in the same run: at 5× overload most calls are refusals, and
// their CPU runs in front of the accepted calls (the overload benchmark's p99).
// Three TuskServer child processes (test/helpers/overload-server.ts, handlers
// with no CPU and no wait unless said): one refusing nearly everything (a fixed
// limit of 1 held by a call that waits), one accepting with admission on, one
// with `overload { enabled: false }`. Each gets open-loop load at two rates; the
// marginal CPU per call (ΔCPU / Δcalls) leaves out what a process spends
// whatever the rate (timers, the event-loop gate, metrics), but moves with
// the order the servers run in; CPU per call at the top rate is the steadier.
//   node --conditions=tusk-source --import tsx bench/refusal-cost-bench.ts [--seconds 4] [--rates 100,400]
//   OVERLOAD_TRANSPORT=http2 for the lean transport.
import { spawnLoadGenerator, spawnOverloadServer, type OverloadServer } from '../test/helpers/overload-processes.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const seconds = Number(args.get('seconds') ?? 4);
const rates = (args.get('rates') ?? '100,400').split(',').map(Number);
const DEADLINE_MS = 10_000;

const variants: ReadonlyArray<readonly [string, Parameters<typeof spawnOverloadServer>[0]]> = [
  ['refused (OVERLOADED, pushback)', { cpuMs: 0, waitMs: 60_000, overload: { limiter: 'fixed', initial_limit: 1, min_limit: 1, deadline_aware: false } }],
  ['accepted, admission on', { cpuMs: 0, waitMs: 0, overload: { limiter: 'fixed', initial_limit: 1000, min_limit: 1 } }],
  ['accepted, overload off', { cpuMs: 0, waitMs: 0, overload: { enabled: false } }],
];

const load = await spawnLoadGenerator();
const servers: OverloadServer[] = [];
try {
  for (const [, options] of variants) servers.push(await spawnOverloadServer(options));
  // Warm the JIT of each (the refusing server's one slot is taken here and stays taken).
  await Promise.all(servers.map((server) => load.run({ op: 'open', address: server.address, rate: 50, durationMs: 1_000, deadlineMs: DEADLINE_MS })));
  // Rates outer, servers inner: a drift of the machine over the run falls on every server alike.
  const points = servers.map(() => [] as { calls: number; cpuMs: number }[]);
  for (const rate of rates) {
    for (const [index, server] of servers.entries()) {
      const before = await server.stats();
      const result = await load.run({ op: 'open', address: server.address, rate, durationMs: seconds * 1000, deadlineMs: DEADLINE_MS });
      const after = await server.stats();
      points[index]!.push({ calls: result.ok + result.shed, cpuMs: after.cpuMs - before.cpuMs });
      console.error(`${variants[index]![0]} at ${rate}/s: ok ${result.ok}, shed ${result.shed}, server CPU ${(after.cpuMs - before.cpuMs).toFixed(0)} ms`);
    }
  }
  const perCall = (point: { calls: number; cpuMs: number }) => point.cpuMs / point.calls;
  const perCallAtTop = points.map((series) => perCall(series.at(-1)!));
  const marginals = points.map((series) => (series.at(-1)!.cpuMs - series[0]!.cpuMs) / (series.at(-1)!.calls - series[0]!.calls));
  const rows = points.map((series, index) => `| ${variants[index]![0]} | ${perCall(series[0]!).toFixed(3)} | ${perCallAtTop[index]!.toFixed(3)} | ${marginals[index]!.toFixed(3)} |`);
  console.log(`transport ${process.env.OVERLOAD_TRANSPORT ?? 'grpc-js'}; open loop at ${rates.join(' and ')} calls/s, ${seconds} s each\n`);
  console.log(`| call | CPU ms/call at ${rates[0]}/s | CPU ms/call at ${rates.at(-1)}/s | marginal CPU ms/call |`);
  console.log('| --- | ---: | ---: | ---: |');
  console.log(rows.join('\n'));
  // The marginal column moves with the order the servers run in; per call at the top rate is the steadier ratio.
  console.log(`\nrefused / accepted (admission on), CPU per call at ${rates.at(-1)}/s: ${(perCallAtTop[0]! / perCallAtTop[1]!).toFixed(2)}; admission on / off: ${(perCallAtTop[1]! / perCallAtTop[2]!).toFixed(2)}`);
} finally {
  await Promise.all([load.stop(), ...servers.map((server) => server.stop())]);
}

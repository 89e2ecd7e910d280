// The load loop and summary shared by the server-side benchmarks: `concurrency`
// workers each call, await, repeat, until the time (or a call cap) runs out.

const MAX_CALLS_PER_WORKER = 1_000_000;

export interface LoadResult {
  readonly calls: number;
  readonly seconds: number;
  readonly latencies: number[];
  /** CPU the measured server process spent during the load, µs. */
  readonly serverCpuMicros: number;
}

/** Runs the closed loop, reading the server's CPU counter before and after. */
export async function closedLoop(call: () => Promise<unknown>, concurrency: number, seconds: number, serverCpuMicros: () => Promise<number>): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = await serverCpuMicros();
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < MAX_CALLS_PER_WORKER && performance.now() < until; i++) {
      const begin = performance.now();
      await call();
      latencies.push(performance.now() - begin);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = await serverCpuMicros();
  return { calls: latencies.length, seconds: elapsed, latencies, serverCpuMicros: cpuAfter - cpuBefore };
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Throughput over all rounds, latency percentiles over all calls, server CPU per call. */
export function summarize(results: readonly LoadResult[]): { rps: number; p50: number; p99: number; serverCpuPerCall: number } {
  const calls = results.reduce((sum, r) => sum + r.calls, 0);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const all = Float64Array.from(results.flatMap((r) => r.latencies)).sort();
  const at = (p: number) => all[Math.min(all.length - 1, Math.floor(all.length * p))] ?? Number.NaN;
  return { rps: calls / seconds, p50: at(0.5), p99: at(0.99), serverCpuPerCall: results.reduce((sum, r) => sum + r.serverCpuMicros, 0) / calls };
}

// The events runtime against a raw @nats-io/jetstream client, in one run, on a
// private `nats-server -js` this script starts (free loopback port, temp store):
//   1. publish throughput, each event awaited until its JetStream ack, closed loop at a few concurrencies;
//   2. end-to-end latency at a fixed rate: publish call → handler invoked, tusk subscribe vs a raw durable
//      pull consumer with explicit acks;
//   3. consumer throughput: a fresh group drains a stored backlog (for information);
//   4. publish and latency for the local provider, for information (it has no raw counterpart).
//   node --conditions=tusk-source --import tsx bench/events-bench.ts [--seconds 2] [--rounds 5] [--concurrency 1,64]
//        [--rate 1000] [--latency-seconds 5] [--backlog 10000] [--local true] [--local-rate 200]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNats } from '../examples/shared/private-nats.js';
import { eventSubject } from '../src/events/index.js';
import { closedLoop, median, summarize, type LoadResult } from './closed-loop.js';
import { drainBacklog, fixedRate, percentile, type DrainResult, type FixedRateResult } from './event-load.js';
import { PREFIX, rawNatsPeer, STREAM, tuskLocalPeer, tuskNatsPeer, type EventPeer } from './event-peers.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const SECONDS = Number(args.get('seconds') ?? 2);
const ROUNDS = Number(args.get('rounds') ?? 5);
const CONCURRENCY = (args.get('concurrency') ?? '1,64').split(',').map(Number);
const RATE = Number(args.get('rate') ?? 1000);
/** The local provider polls a folder; it is also timed at this lower, demo-sized rate. */
const LOCAL_RATE = Number(args.get('local-rate') ?? 200);
const LATENCY_SECONDS = Number(args.get('latency-seconds') ?? 5);
const WITH_LOCAL = (args.get('local') ?? 'true') !== 'false';
const BACKLOG = Number(args.get('backlog') ?? 10_000);
/** How long the last events of a fixed-rate phase may take to arrive before they count as lost. */
const DRAIN_MS = 10_000;
const THROUGHPUT_TYPE = 'bench.v1.Throughput';
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 50;
const LATENCY_HEADER = '| consumer | achieved rate /s | received | p50 ms | p99 ms | p99 ms, median of rounds | max ms | bench-process CPU µs/event |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';

/** This process's CPU (publisher and client library; nats-server is its own process), µs. */
const ownCpuMicros = async (): Promise<number> => {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
};

const nats = await startNats();
const localDir = WITH_LOCAL ? await mkdtemp(join(tmpdir(), 'tusk-events-bench-')) : undefined;
const tusk = await tuskNatsPeer(nats.endpoint); // creates the stream
const raw = await rawNatsPeer(nats.endpoint, false);
const rawLean = await rawNatsPeer(nats.endpoint, true);
const local = localDir === undefined ? undefined : await tuskLocalPeer(localDir);
const natsPeers: EventPeer[] = [raw, rawLean, tusk];
/** tusk's ratio is taken against both raw set-ups; the target is judged on the lower one. */
const baselines: readonly EventPeer[] = [raw, rawLean];

/** Closed-loop publishing; the throughput subject is purged first so every round starts from the same stream size. */
async function publishLoad(peer: EventPeer, concurrency: number, seconds: number): Promise<LoadResult> {
  if (peer !== local) await raw.jsm.streams.purge(STREAM, { filter: eventSubject(PREFIX, THROUGHPUT_TYPE) });
  let index = 0;
  return closedLoop(() => peer.publish(THROUGHPUT_TYPE, index++), concurrency, seconds, ownCpuMicros);
}

const rate = (result: LoadResult): number => result.calls / result.seconds;

async function throughput(peers: readonly EventPeer[], measured: EventPeer | undefined): Promise<string[]> {
  const verdicts: string[] = [];
  for (const concurrency of CONCURRENCY) {
    for (const peer of peers) await publishLoad(peer, concurrency, 1); // warm-up: connection, JIT, stream files
    const results = new Map(peers.map((peer) => [peer, [] as LoadResult[]]));
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, first place rotating, so drifts in machine load hit every publisher alike.
      for (let i = 0; i < peers.length; i++) {
        const peer = peers[(i + round) % peers.length]!;
        results.get(peer)!.push(await publishLoad(peer, concurrency, SECONDS));
      }
    }
    // Each round's ratio compares two runs seconds apart, under nearly the same machine load.
    const ratioTo = (peer: EventPeer, base: EventPeer) => median(results.get(peer)!.map((r, i) => rate(r) / rate(results.get(base)![i]!)));
    for (const peer of peers) {
      const s = summarize(results.get(peer)!);
      const ratios = peer === measured ? baselines.map((base) => ratioTo(peer, base).toFixed(3)) : baselines.map(() => '');
      console.log(`| ${concurrency} | ${peer.label} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} | ${s.serverCpuPerCall.toFixed(0)} | ${ratios.join(' | ')} |`);
    }
    if (measured && peers.includes(raw)) {
      const worst = Math.min(...baselines.map((base) => ratioTo(measured, base)));
      verdicts.push(`throughput at concurrency ${concurrency}: tusk/raw ${worst.toFixed(3)}, the lower of the two (target ≥ ${TARGET_RATIO}): ${worst >= TARGET_RATIO ? 'met' : 'NOT met'}`);
    }
  }
  return verdicts;
}

async function latency(peers: readonly EventPeer[], target: EventPeer | undefined, rate = RATE): Promise<string[]> {
  const count = Math.round(rate * LATENCY_SECONDS);
  const key = (peer: EventPeer) => peer.label.replace(/[^A-Za-z]/g, '');
  const phase = (peer: EventPeer, name: string, events: number): Promise<FixedRateResult> =>
    fixedRate(rate, events, DRAIN_MS, (probe) => peer.latencyPeer(`bench.v1.Latency${rate}${name}${key(peer)}`, `bench-latency-${rate}-${name}-${key(peer)}`, probe));
  for (const peer of peers) await phase(peer, 'Warmup', rate); // one second: consumer creation, JIT
  const results = new Map(peers.map((peer) => [peer, [] as FixedRateResult[]]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[(i + round) % peers.length]!;
      results.get(peer)!.push(await phase(peer, `Round${round}`, count));
    }
  }
  const verdicts: string[] = [];
  for (const peer of peers) {
    const rounds = results.get(peer)!;
    const all = Float64Array.from(rounds.flatMap((r) => [...r.latencies])).sort();
    const sent = rounds.reduce((sum, r) => sum + r.sent, 0);
    const received = rounds.reduce((sum, r) => sum + r.received, 0);
    const p99s = rounds.map((r) => percentile(r.latencies, 0.99));
    const achieved = median(rounds.map((r) => r.achievedRate));
    const cpu = median(rounds.map((r) => r.cpuMicrosPerEvent));
    console.log(`| ${peer.label} at ${rate}/s | ${achieved.toFixed(0)} | ${received}/${sent} | ${percentile(all, 0.5).toFixed(2)} | ${percentile(all, 0.99).toFixed(2)} | ${median(p99s).toFixed(2)} | ${percentile(all, 1).toFixed(1)} | ${cpu.toFixed(0)} |`);
    if (peer === target) {
      const p99 = median(p99s);
      verdicts.push(`latency at ${RATE}/s: tusk p99 ${p99.toFixed(2)} ms, median of rounds (target < ${TARGET_P99_MS} ms): ${p99 < TARGET_P99_MS && received === sent ? 'met' : 'NOT met'}`);
    }
  }
  return verdicts;
}

/** Consumer throughput, for information: each consumer drains the same backlog, stored by the raw publisher. */
async function consume(peers: readonly EventPeer[]): Promise<void> {
  const key = (peer: EventPeer) => peer.label.replace(/[^A-Za-z]/g, '');
  const phase = (peer: EventPeer, name: string, count: number): Promise<DrainResult> => {
    const typeName = `bench.v1.Backlog${name}${key(peer)}`;
    return drainBacklog(count, 60_000, (index) => rawLean.publish(typeName, index), (probe) => peer.latencyPeer(typeName, `bench-backlog-${name}-${key(peer)}`, probe));
  };
  for (const peer of peers) await phase(peer, 'Warmup', Math.min(BACKLOG, 2000));
  const results = new Map(peers.map((peer) => [peer, [] as DrainResult[]]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[(i + round) % peers.length]!;
      results.get(peer)!.push(await phase(peer, `Round${round}`, BACKLOG));
    }
  }
  const drained = (r: DrainResult) => r.received / r.seconds;
  for (const peer of peers) {
    const rounds = results.get(peer)!;
    const ratios = peer === tusk ? baselines.map((base) => median(rounds.map((r, i) => drained(r) / drained(results.get(base)![i]!))).toFixed(3)) : baselines.map(() => '');
    const received = rounds.reduce((sum, r) => sum + r.received, 0);
    console.log(`| ${peer.label} | ${median(rounds.map(drained)).toFixed(0)} | ${received}/${BACKLOG * ROUNDS} | ${median(rounds.map((r) => r.cpuMicrosPerEvent)).toFixed(0)} | ${ratios.join(' | ')} |`);
  }
}

try {
  console.log(`node ${process.version}, nats-server -js in its own process; ${SECONDS}s × ${ROUNDS} rounds per publisher and concurrency; ${RATE}/s × ${LATENCY_SECONDS}s × ${ROUNDS} rounds per consumer`);
  console.log('\nPublish throughput (each publish awaited until its JetStream ack)');
  console.log('| concurrency | publisher | events/s | p50 ms | p99 ms | bench-process CPU µs/event | tusk vs raw (median of rounds) | tusk vs raw, noAsyncTraces |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const verdicts = await throughput(natsPeers, tusk);
  console.log(`\nEnd-to-end latency at ${RATE} events/s (publish call → handler invoked)`);
  console.log(LATENCY_HEADER);
  verdicts.push(...(await latency(natsPeers, tusk)));
  console.log(`\nConsumer throughput: a fresh group drains a backlog of ${BACKLOG} stored events (for information, no target)`);
  console.log('| consumer | events/s (median of rounds) | received | bench-process CPU µs/event | tusk vs raw | tusk vs raw, noAsyncTraces |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  await consume(natsPeers);
  if (local) {
    console.log('\nLocal provider (development only; for information, no raw counterpart)');
    console.log('| concurrency | publisher | events/s | p50 ms | p99 ms | bench-process CPU µs/event | | |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    await throughput([local], undefined);
    console.log(LATENCY_HEADER);
    await latency([local], undefined);
    await latency([local], undefined, LOCAL_RATE);
  }
  console.log('');
  for (const verdict of verdicts) console.log(verdict);
} finally {
  await Promise.allSettled([tusk.close(), raw.close(), rawLean.close(), local?.close()]);
  await nats.destroy();
  if (localDir) await rm(localDir, { recursive: true, force: true });
}

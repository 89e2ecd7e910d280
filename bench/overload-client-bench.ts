// Clients under pushback: three echo servers (plain grpc-js, in this process), one of them shedding every call
// per the overload contract (UNAVAILABLE + grpc-retry-pushback-ms + RetryInfo/ErrorInfo OVERLOADED), driven in
// one run by
//   - raw grpc-js: one grpc.Client over all three addresses, round_robin, its own retry policy (3 attempts on
//     UNAVAILABLE, which honours the pushback by waiting it out before retrying through the balancer);
//   - tusk: createClient over the same addresses, defaults (p2c_ewma, 3 attempts, budget 0.2), Echo idempotent.
// Figures: successful calls/s, attempts per call, the share of attempts sent to the shedding instance, p50/p99.
//
//   node --conditions=tusk-source --import tsx bench/overload-client-bench.ts [--seconds 3] [--rounds 2] [--concurrency 32]
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { closeClient, createClient } from '../src/client/index.js';
import { echoDescriptor, type EchoServiceClient } from '../test/helpers/echo-service.js';
import { startSheddingServer, type SheddingServer } from '../test/integration/client/shedding-server.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '2' }, concurrency: { type: 'string', default: '32' } } });
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const MAX_CALLS = 2_000_000;

const echo = echoDescriptor().methods['echo']!;

interface Tally { ok: number; failed: number; latencies: number[] }

async function closedLoop(call: () => Promise<unknown>): Promise<Tally> {
  const tally: Tally = { ok: 0, failed: 0, latencies: [] };
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until && tally.ok + tally.failed < MAX_CALLS) {
      const begin = performance.now();
      try {
        await call();
        tally.ok++;
        tally.latencies.push(performance.now() - begin);
      } catch {
        tally.failed++;
      }
    }
  }));
  return tally;
}

function rawClient(addresses: readonly string[]): { call: () => Promise<unknown>; close: () => void } {
  const serviceConfig = {
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: [{
      name: [{ service: 'test.v1.EchoService' }],
      retryPolicy: { maxAttempts: 3, initialBackoff: '0.025s', maxBackoff: '1s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
    }],
  };
  const client = new grpc.Client(`ipv4:${addresses.join(',')}`, grpc.credentials.createInsecure(), { 'grpc.service_config': JSON.stringify(serviceConfig) });
  const request = Buffer.from(echo.serializeRequest({ text: 'x' }));
  const call = () => new Promise((resolve, reject) => {
    client.makeUnaryRequest(echo.path, (b: Buffer) => b, (b: Buffer) => b, request, new grpc.Metadata(), { deadline: Date.now() + 2_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
  return { call, close: () => client.close() };
}

function tuskClient(addresses: readonly string[]): { call: () => Promise<unknown>; close: () => Promise<void> } {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: addresses, timeout: 2_000, methods: { Echo: { idempotent: true } } });
  return { call: () => client.echo({ text: 'x' }), close: () => closeClient(client) };
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);

async function main(): Promise<void> {
  const servers: SheddingServer[] = await Promise.all([
    startSheddingServer({ admission: () => ({ kind: 'shed', pushback: '200', retryDelayMs: 200 }) }),
    startSheddingServer(),
    startSheddingServer(),
  ]);
  const addresses = servers.map((server) => server.address);
  const totals = new Map<string, { tally: Tally; attempts: number; onShedding: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['raw', 'tusk'] as const) : (['tusk', 'raw'] as const);
    for (const name of order) {
      const client = name === 'raw' ? rawClient(addresses) : tuskClient(addresses);
      await client.call().catch(() => {}); // connect first
      const before = servers.map((server) => server.arrivals.length);
      const tally = await closedLoop(client.call);
      const arrivals = servers.map((server, i) => server.arrivals.length - before[i]!);
      await client.close();
      const total = totals.get(name) ?? { tally: { ok: 0, failed: 0, latencies: [] }, attempts: 0, onShedding: 0 };
      total.tally.ok += tally.ok;
      total.tally.failed += tally.failed;
      total.tally.latencies.push(...tally.latencies);
      total.attempts += arrivals.reduce((a, b) => a + b, 0);
      total.onShedding += arrivals[0]!;
      totals.set(name, total);
    }
  }
  console.log(`${ROUNDS} rounds x ${SECONDS} s, concurrency ${CONCURRENCY}; one of three servers sheds everything (pushback 200 ms)`);
  console.log('client | ok calls/s | failed | attempts/call | attempts on the shedding server | p50 ms | p99 ms');
  const rows = new Map<string, { rps: number; p99: number }>();
  for (const [name, { tally, attempts, onShedding }] of totals) {
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    const calls = tally.ok + tally.failed;
    const rps = tally.ok / (ROUNDS * SECONDS);
    rows.set(name, { rps, p99: percentile(sorted, 0.99) });
    console.log(`${name} | ${rps.toFixed(0)} | ${tally.failed} | ${(attempts / calls).toFixed(3)} | ${((onShedding / attempts) * 100).toFixed(1)} % | ${percentile(sorted, 0.5).toFixed(2)} | ${percentile(sorted, 0.99).toFixed(2)}`);
  }
  const raw = rows.get('raw')!;
  const tusk = rows.get('tusk')!;
  console.log(`ratio tusk/raw: ok calls/s ${(tusk.rps / raw.rps).toFixed(2)}, p99 ${(tusk.p99 / raw.p99).toFixed(2)}`);
  await Promise.all(servers.map((server) => server.stop()));
}

await main();

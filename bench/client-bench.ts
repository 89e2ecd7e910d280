// Raw grpc-js client vs tusk client (static discovery, p2c_ewma, breaker, retry on)
// against the same echo server in a child process, in one run.
//   node --conditions=tusk-source --import tsx bench/client-bench.ts [--seconds 2] [--rounds 5]
//        [--concurrency 1,64] [--clients raw,raw-deadline,transport,tusk,transport-http2,tusk-http2] [--before /path/to/other/checkout]
// tusk-http2 / transport-http2: the same on the lean client transport ([client] transport = "http2").
//        [--server minimal|raw|lean|...]
// Through bench/run-compiled.ts the clients run from tsc's output under plain node (as an installed package runs):
//   node --conditions=tusk-source --import tsx bench/run-compiled.ts client-bench --server minimal ...
// --server serves the calls from server-bench.ts's child of that variant (minimal = a scratch node:http2 echo, the
// fastest) instead of the TuskServer child: the slower the server, the more it, not the client, caps calls/s.
//        [--security plaintext,tls,tls+jwt]
// --security adds raw and tusk clients under each level (bench/security-variants.ts) against a raw grpc-js server
// child with a TLS certificate (server-bench.ts --serve raw:tls): `tls` verifies it, `tls+jwt` also sends a bearer
// token on every call (raw: the metadata; tusk: `credentials: { bearer }`). The server does not check the token: this
// measures the client. Ratios: tusk vs raw under the same level, and each client vs itself in plaintext.
// --before adds "tusk (before)": the same tusk client built from another checkout's src/ (node_modules symlinked in),
// so a change is measured against its parent in the same run:
//   mkdir /tmp/tusk-before && git archive <commit> src test/helpers tsconfig.json package.json | tar -x -C /tmp/tusk-before \
//     && ln -s "$PWD/node_modules" /tmp/tusk-before/node_modules
import * as grpc from '@grpc/grpc-js';
import { closeClient, createClient } from '../src/client/index.js';
import { GrpcTransport } from '../src/client/grpc-transport.js';
import { Http2ClientTransport } from '../src/client/http2/index.js';
import type { Transport } from '../src/client/transport.js';
import { echoDescriptor, type EchoServiceClient } from '../test/helpers/echo-service.js';
import { spawnEchoChild } from '../test/integration/client/echo-children.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { siblingScript } from './compile-checkout.js';
import { makeSecurityMaterial, parseSecurity, rawClientCredentials, rawMetadata, SECURITY_ENV, type Security, type SecurityMaterial } from './security-variants.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const SECONDS = Number(args.get('seconds') ?? 2);
const ROUNDS = Number(args.get('rounds') ?? 5);
const CONCURRENCY = (args.get('concurrency') ?? '1,64').split(',').map(Number);
const CLIENTS = new Set((args.get('clients') ?? 'raw,raw-deadline,tusk').split(','));
const SECURITY = parseSecurity(args.get('security'));
const MAX_CALLS_PER_WORKER = 1_000_000;

type Call = () => Promise<unknown>;

interface Result {
  readonly calls: number;
  readonly seconds: number;
  readonly latencies: Float64Array;
  /** CPU time this (client) process used, µs. */
  readonly cpuMicros: number;
}

async function measure(call: Call, concurrency: number, seconds: number): Promise<Result> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < MAX_CALLS_PER_WORKER; i++) {
        const begin = performance.now();
        if (begin >= until) return;
        await call();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { calls: latencies.length, seconds: (performance.now() - started) / 1000, latencies: Float64Array.from(latencies).sort(), cpuMicros: cpu.user + cpu.system };
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summary(results: Result[]): { rps: number; p50: number; p99: number; cpuPerCall: number } {
  const calls = results.reduce((sum, r) => sum + r.calls, 0);
  const cpuPerCall = results.reduce((sum, r) => sum + r.cpuMicros, 0) / calls;
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const all = Float64Array.from(results.flatMap((r) => [...r.latencies])).sort();
  return { rps: calls / seconds, p50: percentile(all, 0.5), p99: percentile(all, 0.99), cpuPerCall };
}

/** server-bench.ts's server child of one variant (`raw:tls` with the TLS certificate in `material`). */
async function spawnBenchServer(variant: string, material?: SecurityMaterial): Promise<{ address: string; kill(signal?: string): Promise<void> }> {
  const entry = siblingScript('server-bench', import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, entry, '--serve', variant], {
    stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...(material ? { [SECURITY_ENV]: JSON.stringify(material) } : {}) },
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} echo child did not start within 30 s`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => { clearTimeout(timer); resolve((JSON.parse(line) as { address: string }).address); });
  });
  return { address, kill: async () => void child.stdin!.end() };
}

const SERVER = args.get('server');
const server = SERVER === undefined ? await spawnEchoChild() : await spawnBenchServer(SERVER);
const descriptor = echoDescriptor();
const echo = descriptor.methods['echo']!;
const request = { text: 'hello benchmark' };

const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
const rawCall: Call = () =>
  new Promise((resolve, reject) =>
    raw.makeUnaryRequest(echo.path, (value: unknown) => Buffer.from(echo.serializeRequest(value)), (bytes: Buffer) => echo.deserializeResponse(bytes), request, new grpc.Metadata(), {}, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );

// The same call with the deadline tusk sets by default (the method timeout), to show what grpc-js deadlines cost.
const TIMEOUT_MS = 5_000;
const rawDeadlineCall: Call = () =>
  new Promise((resolve, reject) =>
    raw.makeUnaryRequest(echo.path, (value: unknown) => Buffer.from(echo.serializeRequest(value)), (bytes: Buffer) => echo.deserializeResponse(bytes), request, new grpc.Metadata(), { deadline: Date.now() + TIMEOUT_MS }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );

const tuskOptions = {
  discovery: { provider: 'static', endpoints: [server.address] },
  balancer: 'p2c_ewma',
  timeout: Number(args.get('tusk-timeout') ?? TIMEOUT_MS),
  retry: { maxAttempts: 3 },
  circuitBreaker: { strategy: 'consecutive', threshold: 5 },
  methods: { Echo: { idempotent: true } },
} as const;
const tusk = createClient<EchoServiceClient>(descriptor, tuskOptions);
const tuskCall: Call = () => tusk.echo(request);
const tuskHttp2 = createClient<EchoServiceClient>(echoDescriptor({ client: { transport: 'http2' } }), tuskOptions);

const BEFORE = args.get('before');
const before = BEFORE === undefined ? undefined : await (async () => {
  const other = (await import(`${BEFORE}/src/client/index.ts`)) as { createClient: typeof createClient; closeClient: typeof closeClient };
  const client = other.createClient<EchoServiceClient>(descriptor, tuskOptions);
  return { client, close: () => other.closeClient(client) };
})();


// tusk's transport alone (no pipeline), to tell transport cost from pipeline cost: --clients raw,transport,tusk
const transport = new GrpcTransport(server.address);
const leanTransport = new Http2ClientTransport(server.address);
const noMetadata = {};
const transportCallOf = (through: Transport): Call => () =>
  through.unary(echo.path, echo.serializeRequest(request), { metadata: noMetadata, deadline: Date.now() + TIMEOUT_MS, signal: undefined }).then(echo.deserializeResponse);

const secured = SECURITY.some((level) => level !== 'plaintext') ? await makeSecurityMaterial() : undefined;
const tlsServer = secured ? await spawnBenchServer('raw:tls', secured.material) : undefined;
const closers: Array<() => Promise<void> | void> = [];
/** raw and tusk clients under one level, keyed `raw:tls`, `tusk:tls+jwt`. */
function securedClients(level: Exclude<Security, 'plaintext'>): Array<{ key: string; label: string; call: Call }> {
  const material = secured!.material;
  const client = new grpc.Client(tlsServer!.address, rawClientCredentials(level, material), { 'grpc.ssl_target_name_override': 'localhost' });
  const metadata = rawMetadata(level, material);
  const call: Call = () => new Promise((resolve, reject) =>
    client.makeUnaryRequest(echo.path, (value: unknown) => Buffer.from(echo.serializeRequest(value)), (bytes: Buffer) => echo.deserializeResponse(bytes), request, metadata.clone(), {}, (error, response) =>
      error ? reject(error) : resolve(response)));
  const tuskSecured = createClient<EchoServiceClient>(descriptor, {
    ...tuskOptions, discovery: { provider: 'static', endpoints: [tlsServer!.address] },
    tls: { ca: material.ca, serverName: 'localhost' },
    ...(level === 'tls+jwt' ? { credentials: { bearer: material.token } } : {}),
  });
  closers.push(() => client.close(), () => closeClient(tuskSecured));
  return [
    { key: `raw:${level}`, label: `raw grpc-js, ${level}`, call },
    { key: `tusk:${level}`, label: `tusk, ${level}`, call: () => tuskSecured.echo(request) },
  ];
}

const clients: Array<{ key: string; label: string; call: Call }> = [
  { key: 'raw', label: 'raw grpc-js', call: rawCall },
  { key: 'raw-deadline', label: 'raw grpc-js + deadline', call: rawDeadlineCall },
  { key: 'transport', label: 'tusk transport only', call: transportCallOf(transport) },
  { key: 'tusk', label: 'tusk', call: tuskCall },
  { key: 'transport-http2', label: 'tusk lean transport only', call: transportCallOf(leanTransport) },
  { key: 'tusk-http2', label: 'tusk on the lean transport', call: () => tuskHttp2.echo(request) },
  ...(before === undefined ? [] : [{ key: 'before', label: 'tusk (before)', call: () => before.client.echo(request) }]),
].filter((client) => CLIENTS.has(client.key) || client.key === 'before');
if (!SECURITY.includes('plaintext')) clients.splice(0, clients.length);
for (const level of SECURITY) if (level !== 'plaintext') clients.push(...securedClients(level));

console.log(`node ${process.version}, ${SECONDS}s × ${ROUNDS} rounds per client and concurrency, server (${SERVER ?? 'TuskServer'}) in a child process`);
console.log('concurrency | client | calls/s | p50 ms | p99 ms | client CPU µs/call');
const ratios: string[] = [];
for (const concurrency of CONCURRENCY) {
  for (const client of clients) await measure(client.call, concurrency, 1); // warm up (connections, JIT)
  const results = new Map(clients.map((client) => [client.key, [] as Result[]]));
  for (let round = 0; round < ROUNDS; round++) {
    // Interleave, and rotate who goes first, so drift in machine load and server warm-up hit every client alike.
    for (let i = 0; i < clients.length; i++) {
      const client = clients[(i + round) % clients.length]!;
      results.get(client.key)!.push(await measure(client.call, concurrency, SECONDS));
    }
  }
  const summaries = new Map(clients.map((client) => [client.key, summary(results.get(client.key)!)]));
  for (const client of clients) {
    const s = summaries.get(client.key)!;
    console.log(`${concurrency} | ${client.label} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} | ${s.cpuPerCall.toFixed(0)}`);
  }
  for (const measured of ['tusk', 'tusk-http2', 'before']) {
    const tusk = summaries.get(measured);
    for (const baseline of ['raw', 'raw-deadline']) {
      const base = summaries.get(baseline);
      if (!tusk || !base) continue;
      // Rounds ran back to back, so each round's ratio compares the two under the same machine load; the median resists
      // bursts from other processes better than the ratio of totals.
      const perRound = results.get(measured)!.map((t, i) => t.calls / t.seconds / (results.get(baseline)![i]!.calls / results.get(baseline)![i]!.seconds));
      ratios.push(`concurrency ${concurrency}: ${measured} / ${baseline} throughput ${(tusk.rps / base.rps).toFixed(3)} (median of per-round ratios ${median(perRound).toFixed(3)})`);
    }
  }
  // Under each level: tusk vs raw, and each client vs itself in plaintext (rounds ran back to back).
  const perRoundRatio = (measured: string, baseline: string) =>
    median(results.get(measured)!.map((m, i) => m.calls / m.seconds / (results.get(baseline)![i]!.calls / results.get(baseline)![i]!.seconds)));
  for (const level of SECURITY) {
    if (level === 'plaintext') continue;
    for (const [measured, baseline] of [[`tusk:${level}`, `raw:${level}`], [`raw:${level}`, 'raw'], [`tusk:${level}`, 'tusk']] as const) {
      if (results.has(measured) && results.has(baseline)) ratios.push(`concurrency ${concurrency}: ${measured} / ${baseline} throughput, median of per-round ratios ${perRoundRatio(measured, baseline).toFixed(3)}`);
    }
  }
}
for (const ratio of ratios) console.log(ratio);

raw.close();
transport.close();
leanTransport.close();
await closeClient(tusk);
await closeClient(tuskHttp2);
await before?.close();
await server.kill('SIGTERM');
for (const close of closers) await close();
await tlsServer?.kill();
await secured?.destroy();

// What tracing costs a TuskServer: one raw grpc-js client drives, in one run,
// a raw grpc-js server and TuskServers with tracing off and on, each in its
// own child process (so each side has a core), interleaved round by round.
//   node --conditions=tusk-source --import tsx bench/tracing-bench.ts [--seconds 2] [--rounds 3] [--concurrency 1,64]
//        [--servers raw,bare,metrics,traced,exporting,instrumented]
// Server variants (all answer the same JSON echo):
//   raw           grpc-js Server, no interceptors
//   bare          TuskServer, trace and metrics hooks off (no-op)
//   metrics       TuskServer, metrics hook only (tracing off)
//   traced        TuskServer defaults: metrics + trace hook, SDK started, no exporter (NoopSpanProcessor)
//   exporting     as traced, spans through a BatchSpanProcessor into a counting no-op exporter
//   instrumented  as traced, plus `--import tusk-grpc/telemetry` (grpc-js instrumented; the hook steps aside)
// Besides throughput and latency, each child reports its own CPU time: server µs per call is the overhead itself,
// even where throughput is capped by the client.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { EchoServiceBase, type EchoRequest } from '../test/helpers/echo-service.js';
import { closedLoop, median, summarize, type LoadResult } from './closed-loop.js';
import { echoMethod, hookOff, startRawEchoServer, startTuskEchoServer, toBuffer, type BenchRuntime } from './echo-servers.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);


// ---------------------------------------------------------------- child: one server variant
async function serve(variant: string): Promise<void> {
  let address: string;
  let exported = 0;
  if (variant === 'raw') {
    address = `127.0.0.1:${await startRawEchoServer()}`;
  } else {
    const runtime: BenchRuntime = {
      TuskServer: (await import('../src/server/tusk-server.js')).TuskServer,
      StaticRegistry: (await import('../src/discovery/static-registry.js')).StaticRegistry,
      createLogger: (await import('../src/telemetry/logger.js')).createLogger,
      EchoServiceBase,
    };
    if (variant === 'exporting') {
      // Registered before the server starts its SDK, so this provider is the one its trace hook uses.
      const { api, tracing } = await import('@opentelemetry/sdk-node');
      const exporter = {
        export: (spans: unknown[], done: (result: { code: number }) => void) => { exported += spans.length; done({ code: 0 }); },
        shutdown: async () => undefined,
      };
      api.trace.setGlobalTracerProvider(new tracing.BasicTracerProvider({ spanProcessors: [new tracing.BatchSpanProcessor(exporter)] }));
    }
    const hooks = variant === 'bare' ? { trace: hookOff, metrics: hookOff } : variant === 'metrics' ? { trace: hookOff } : {};
    address = `127.0.0.1:${await startTuskEchoServer(runtime, variant, hooks)}`;
  }
  process.stdout.write(`${JSON.stringify({ address })}\n`);
  // "cpu" on stdin: answer with this process's CPU time so far (µs) and the spans exported.
  createInterface({ input: process.stdin }).on('line', () => {
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu: cpu.user + cpu.system, exported })}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
}

// ---------------------------------------------------------------- parent: the client and the report
interface Child {
  readonly variant: string;
  readonly address: string;
  readonly process: ChildProcess;
  cpu(): Promise<{ cpu: number; exported: number }>;
}

async function spawnServer(variant: string): Promise<Child> {
  const execArgv = [...process.execArgv];
  if (variant === 'instrumented') execArgv.push('--import', fileURLToPath(new URL('../src/telemetry/register.ts', import.meta.url)));
  const child = spawn(process.execPath, [...execArgv, fileURLToPath(import.meta.url), '--serve', variant], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && key !== 'TUSK_LOG_LEVEL')),
  });
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => waiting.shift()?.(JSON.parse(text) as Record<string, unknown>));
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} server did not answer`)), 30_000);
    waiting.push((line) => { clearTimeout(timer); resolve(line); });
  });
  const ready = await next();
  return {
    variant, address: ready.address as string, process: child,
    cpu: () => { const answer = next(); child.stdin!.write('cpu\n'); return answer as Promise<{ cpu: number; exported: number }>; },
  };
}

type Result = LoadResult;

async function measure(child: Child, client: grpc.Client, concurrency: number, seconds: number): Promise<Result> {
  const request = { text: 'hello benchmark' };
  const call = () => new Promise<unknown>((resolve, reject) =>
    client.makeUnaryRequest(echoMethod.path, (m: EchoRequest) => toBuffer(echoMethod.serializeRequest(m)), (b: Buffer) => echoMethod.deserializeResponse(b),
      request, new grpc.Metadata(), {}, (error, response) => (error ? reject(error) : resolve(response))));
  return closedLoop(call, concurrency, seconds, async () => (await child.cpu()).cpu);
}

async function main(): Promise<void> {
  const SECONDS = Number(args.get('seconds') ?? 2);
  const ROUNDS = Number(args.get('rounds') ?? 3);
  const CONCURRENCY = (args.get('concurrency') ?? '1,64').split(',').map(Number);
  const VARIANTS = (args.get('servers') ?? 'raw,bare,metrics,traced,exporting,instrumented').split(',');
  const children: Child[] = [];
  for (const variant of VARIANTS) children.push(await spawnServer(variant));
  const clients = new Map(children.map((child) => [child.variant, new grpc.Client(child.address, grpc.credentials.createInsecure())]));
  try {
    console.log(`node ${process.version}, ${SECONDS}s × ${ROUNDS} rounds per server and concurrency; raw grpc-js client; each server in its own process`);
    console.log('| concurrency | server | calls/s | p50 ms | p99 ms | server CPU µs/call | calls/s vs raw (median of rounds) | vs bare |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const concurrency of CONCURRENCY) {
      for (const child of children) await measure(child, clients.get(child.variant)!, concurrency, 1); // warm-up: connection, JIT
      const results = new Map(children.map((child) => [child.variant, [] as Result[]]));
      for (let round = 0; round < ROUNDS; round++) {
        // Interleaved, first place rotating: drifts in machine load hit every server alike.
        for (let i = 0; i < children.length; i++) {
          const child = children[(i + round) % children.length]!;
          results.get(child.variant)!.push(await measure(child, clients.get(child.variant)!, concurrency, SECONDS));
        }
      }
      const rate = (r: Result) => r.calls / r.seconds;
      const versus = (variant: string, base: string) => {
        const baseline = results.get(base);
        if (!baseline) return '';
        return median(results.get(variant)!.map((r, i) => rate(r) / rate(baseline[i]!))).toFixed(3);
      };
      for (const child of children) {
        const s = summarize(results.get(child.variant)!);
        console.log(`| ${concurrency} | ${child.variant} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} | ${s.serverCpuPerCall.toFixed(1)} | ${versus(child.variant, 'raw')} | ${versus(child.variant, 'bare')} |`);
      }
    }
    const exporting = children.find((child) => child.variant === 'exporting');
    if (exporting) console.log(`spans exported by the exporting server: ${(await exporting.cpu()).exported}`);
  } finally {
    for (const client of clients.values()) client.close();
    for (const child of children) child.process.stdin!.end();
    await Promise.all(children.map((child) => new Promise((resolve) => (child.process.exitCode !== null ? resolve(undefined) : child.process.once('exit', resolve)))));
  }
}

if (args.has('serve')) await serve(args.get('serve')!);
else await main();

// What a TuskServer costs over a raw grpc-js server, per unary call. One raw
// grpc-js client (this process) drives, in one run, each server variant in its
// own child process, interleaved round by round:
//   raw       grpc-js Server, no interceptors, callback handler
//   bare      TuskServer with the trace and metrics hooks off (the framework alone)
//   defaults  TuskServer as it starts by default (metrics + trace hook, SDK, no exporter)
//   lean      the same defaults on the lean transport ([server] transport = "http2", docs/transport.md)
//   lean-bare the lean transport with the trace and metrics hooks off
//   minimal   a scratch node:http2 unary echo (bench/minimal-http2-server.ts): what node:http2 itself costs
// Every child reports its own CPU time around each round, so "server CPU µs/call" is the overhead itself even where
// the one client process caps throughput. Calls carry no deadline unless --deadline-ms is given.
//   node --conditions=tusk-source --import tsx bench/server-bench.ts [--seconds 2] [--rounds 3] [--concurrency 1,64]
//        [--servers raw,bare,defaults] [--deadline-ms 5000] [--compiled] [--profile <dir>]
//        [--driver h2load [--connections 4] [--pin]] [--security plaintext,tls,tls+jwt]
// --security runs every server under each level (bench/security-variants.ts): `tls` = server certificate, verified
// by the client; `tls+jwt` = also a bearer token on every call, checked by the TuskServer's [auth] jwt (jwks_file:
// the key is local, the token cached after its first call; raw grpc-js has no auth and runs plaintext and tls only).
// The "vs plaintext" column compares each server with itself in plaintext, round by round. h2load speaks TLS
// through https:// (the server offers ALPN h2) and sends the token as a header.
// --driver h2load replaces the grpc-js client by h2load (Debian's nghttp2-client), which saturates the server:
// then --concurrency is streams per connection, and calls/s is the server's throughput (p50/p99 from h2load's
// per-request log). Calls through h2load carry no deadline.
// A TuskServer variant may name another checkout, `bare@/tmp/tusk-before`: its src/ and test/helpers/ are loaded
// instead of this one's (node_modules symlinked in), so a change is measured against its parent in the same run:
//   mkdir /tmp/tusk-before && git archive <commit> src test/helpers tsconfig.json | tar -x -C /tmp/tusk-before \
//     && ln -s "$PWD/node_modules" /tmp/tusk-before/node_modules
// --compiled runs every server child from tsc's output under plain node (as an installed package runs) instead of
// through tsx, whose esbuild transform wraps every named closure in a defineProperty call (keepNames) and so
// inflates per-call costs. The child itself must run without tsx too: its loader transforms plain .js files as well.
// --profile writes V8 CPU profiles of every server child into <dir>/<variant>/ (Chrome DevTools or speedscope open them).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import type { EchoRequest } from '../test/helpers/echo-service.js';
import { closedLoop, median, summarize, type LoadResult } from './closed-loop.js';
import { h2loadRound } from './h2load-driver.js';
import { pinnedCommand } from '../test/helpers/pinned-command.js';
import { compileCheckout } from './compile-checkout.js';
import { startMinimalHttp2EchoServer } from './minimal-http2-server.js';
import { echoMethod, hookOff, startRawEchoServer, startTuskEchoServer, toBuffer, type BenchRuntime, type TuskEchoSecurity } from './echo-servers.js';
import {
  makeSecurityMaterial, materialFromEnv, parseSecurity, rawClientCredentials, rawMetadata, rawServerCredentials, SECURITY_ENV, splitVariant,
  tuskServerSecurity, type Security, type SecurityMaterial,
} from './security-variants.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const value = process.argv[i + 1];
  const flagOnly = value === undefined || value.startsWith('--');
  args.set(process.argv[i]!.replace(/^--/, ''), flagOnly ? '' : value);
  if (!flagOnly) i++;
}

// ---------------------------------------------------------------- child: one server variant
async function serve(variant: string): Promise<void> {
  const { base, security } = splitVariant(variant);
  const material = security === 'plaintext' ? undefined : materialFromEnv();
  const [kind, checkout] = base.split('@');
  const compiledRoot = process.env.SERVER_BENCH_COMPILED;
  const root = compiledRoot ? pathToFileURL(`${compiledRoot}/`) : checkout ? pathToFileURL(`${checkout}/`) : new URL('../', import.meta.url);
  const load = (path: string) => import(new URL(path, root).href);
  let port: number;
  if (kind === 'raw') {
    port = await startRawEchoServer(rawServerCredentials(security, material));
  } else if (kind === 'minimal') {
    port = await startMinimalHttp2EchoServer();
  } else {
    const runtime: BenchRuntime = {
      TuskServer: (await load('src/server/tusk-server.js')).TuskServer,
      StaticRegistry: (await load('src/discovery/static-registry.js')).StaticRegistry,
      createLogger: (await load('src/telemetry/logger.js')).createLogger,
      EchoServiceBase: (await load('test/helpers/echo-service.js')).EchoServiceBase,
    };
    const secured: TuskEchoSecurity = material === undefined ? {} : tuskServerSecurity(security, material);
    const transport = kind === 'lean' || kind === 'lean-bare' ? { config: { ...secured.config, server: { transport: 'http2' } } } : {};
    const hooks = kind === 'bare' || kind === 'lean-bare' ? { trace: hookOff, metrics: hookOff } : {};
    port = await startTuskEchoServer(runtime, variant, hooks, { ...secured, ...transport });
  }
  process.stdout.write(`${JSON.stringify({ address: `127.0.0.1:${port}` })}\n`);
  // "cpu" on stdin: answer with this process's CPU time so far (µs).
  createInterface({ input: process.stdin }).on('line', () => {
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu: cpu.user + cpu.system })}\n`);
  });
  // A plain exit lets --cpu-prof write its profile.
  process.stdin.on('end', () => process.exit(0));
}

// ---------------------------------------------------------------- parent: the client and the report
interface Child {
  readonly variant: string;
  readonly security: Security;
  /** Sent with every call: the bearer token for tls+jwt. */
  readonly metadata: grpc.Metadata;
  readonly process: ChildProcess;
  readonly client: grpc.Client;
  readonly address: string;
  cpuMicros(): Promise<number>;
}

const thisCheckout = fileURLToPath(new URL('..', import.meta.url));

/** compiled: this bench's own compiled entry and the variant's compiled checkout, both run by plain node. */
async function spawnServer(
  variant: string, profileDir: string | undefined, compiled: { entry: string; root: string } | undefined, material: SecurityMaterial | undefined,
): Promise<Child> {
  const execArgv = compiled ? [] : [...process.execArgv];
  // One folder per variant: tsx's loader thread writes a profile of its own beside the main thread's.
  if (profileDir) execArgv.push('--cpu-prof', '--cpu-prof-dir', `${profileDir}/${variant.replace(/[@/]+/g, '_')}`);
  const compiledRoot = compiled?.root;
  const [command, argv] = pinnedCommand(process.execPath, [...execArgv, compiled?.entry ?? fileURLToPath(import.meta.url), '--serve', variant], PIN ? SERVER_CPU : undefined);
  const child = spawn(command, argv, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && key !== 'TUSK_LOG_LEVEL')),
      ...(compiledRoot ? { SERVER_BENCH_COMPILED: compiledRoot } : {}),
      ...(material ? { [SECURITY_ENV]: JSON.stringify(material) } : {}),
    },
  });
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => waiting.shift()?.(JSON.parse(text) as Record<string, unknown>));
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} server did not answer`)), 30_000);
    waiting.push((line) => { clearTimeout(timer); resolve(line); });
  });
  const ready = await next();
  const { security } = splitVariant(variant);
  return {
    variant, security, metadata: rawMetadata(security, material), process: child, address: ready.address as string,
    client: new grpc.Client(ready.address as string, rawClientCredentials(security, material), TLS_NAME),
    cpuMicros: async () => { const answer = next(); child.stdin!.write('cpu\n'); return (await answer).cpu as number; },
  };
}

type Result = LoadResult;

/** The test server certificate names localhost: verifying it by that name spares node's "ServerName is an IP" warning. */
const TLS_NAME = { 'grpc.ssl_target_name_override': 'localhost' };

const DRIVER = args.get('driver') ?? 'grpc-js';
const CONNECTIONS = Number(args.get('connections') ?? 4);
// --pin (h2load only): each server child on CPU 1 and h2load on CPU 0 (taskset), so the two never take turns on one
// core; without it the scheduler moves them around and the same server's figures vary by ±15 % from run to run.
const PIN = args.has('pin');
const SERVER_CPU = 1;
const LOAD_CPU = 0;

/** One call through grpc-js, whatever the driver: a server refusing it (a bad token) stops the run. */
function checkCall(child: Child): Promise<void> {
  return new Promise((resolve, reject) =>
    child.client.makeUnaryRequest(echoMethod.path, (m: EchoRequest) => toBuffer(echoMethod.serializeRequest(m)), (b: Buffer) => echoMethod.deserializeResponse(b),
      { text: 'check' }, child.metadata.clone(), { deadline: Date.now() + 10_000 },
      (error) => (error ? reject(new Error(`${child.variant} refused the benchmark call: ${error.message}`)) : resolve())));
}

async function measure(child: Child, concurrency: number, seconds: number, deadlineMs: number | undefined): Promise<Result> {
  const request = { text: 'hello benchmark' };
  if (DRIVER === 'h2load') {
    const load = {
      address: child.address, path: echoMethod.path, message: echoMethod.serializeRequest(request), connections: CONNECTIONS, streams: concurrency, seconds,
      tls: child.security !== 'plaintext', headers: Object.entries(child.metadata.getMap()).map(([name, value]) => `${name}: ${String(value)}`),
      ...(PIN ? { cpu: LOAD_CPU } : {}),
    };
    return h2loadRound(load, () => child.cpuMicros());
  }
  const call = () => new Promise<unknown>((resolve, reject) =>
    child.client.makeUnaryRequest(echoMethod.path, (m: EchoRequest) => toBuffer(echoMethod.serializeRequest(m)), (b: Buffer) => echoMethod.deserializeResponse(b),
      request, child.metadata.clone(), deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
      (error, response) => (error ? reject(error) : resolve(response))));
  return closedLoop(call, concurrency, seconds, () => child.cpuMicros());
}

async function main(): Promise<void> {
  const SECONDS = Number(args.get('seconds') ?? 2);
  const ROUNDS = Number(args.get('rounds') ?? 3);
  const CONCURRENCY = (args.get('concurrency') ?? '1,64').split(',').map(Number);
  const SECURITY = parseSecurity(args.get('security'));
  // Every server under every level; raw grpc-js has no auth stage, so no tls+jwt.
  const VARIANTS = (args.get('servers') ?? 'raw,bare,defaults').split(',').flatMap((server) => SECURITY
    .filter((level) => !(server === 'raw' && level === 'tls+jwt'))
    .map((level) => (level === 'plaintext' ? server : `${server}:${level}`)));
  const security = SECURITY.some((level) => level !== 'plaintext') ? await makeSecurityMaterial() : undefined;
  const DEADLINE_MS = args.has('deadline-ms') ? Number(args.get('deadline-ms')) : undefined;
  const compiledDir = args.has('compiled') ? mkdtempSync(join(tmpdir(), 'server-bench-')) : undefined;
  const compiled = new Map<string, string>();
  const compiledOf = (variant: string): { entry: string; root: string } | undefined => {
    if (!compiledDir) return undefined;
    const compiledCheckout = (checkout: string): string => {
      if (!compiled.has(checkout)) compiled.set(checkout, compileCheckout(checkout, join(compiledDir, String(compiled.size)), checkout === resolve(thisCheckout)));
      return compiled.get(checkout)!;
    };
    const entry = join(compiledCheckout(resolve(thisCheckout)), 'bench/server-bench.js');
    return { entry, root: compiledCheckout(resolve(splitVariant(variant).base.split('@')[1] ?? thisCheckout)) };
  };
  const children: Child[] = [];
  for (const variant of VARIANTS) children.push(await spawnServer(variant, args.get('profile'), compiledOf(variant), security?.material));
  // h2load counts a call answered with a grpc-status other than 0 as succeeded: check each server accepts the call first.
  for (const child of children) await checkCall(child);
  try {
    const driver = DRIVER === 'h2load' ? `h2load, ${CONNECTIONS} connections × concurrency streams` : 'raw grpc-js client';
    console.log(`node ${process.version}, ${SECONDS}s × ${ROUNDS} rounds per server and concurrency, deadline ${DEADLINE_MS ?? 'none'}, `
      + `TuskServer ${compiledDir ? 'compiled by tsc' : 'through tsx'}; ${driver}; each server in its own process`);
    console.log(`| concurrency | server | calls/s | p50 ms | p99 ms | server CPU µs/call | calls/s vs raw | CPU/call vs raw | calls/s vs plaintext | CPU/call vs plaintext |`);
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const concurrency of CONCURRENCY) {
      for (const child of children) await measure(child, concurrency, 1, DEADLINE_MS); // warm-up: connection, JIT
      const results = new Map(children.map((child) => [child.variant, [] as Result[]]));
      for (let round = 0; round < ROUNDS; round++) {
        // Interleaved, first place rotating: drifts in machine load hit every server alike.
        for (let i = 0; i < children.length; i++) {
          const child = children[(i + round) % children.length]!;
          results.get(child.variant)!.push(await measure(child, concurrency, SECONDS, DEADLINE_MS));
        }
      }
      // Ratios are medians of per-round ratios: each compares servers measured seconds apart.
      const versus = (baseline: string) => (variant: string, of: (r: Result) => number) => {
        const base = results.get(baseline);
        return base ? median(results.get(variant)!.map((r, i) => of(r) / of(base[i]!))).toFixed(3) : '';
      };
      const versusRaw = versus('raw');
      const versusPlaintext = (variant: string, of: (r: Result) => number) => versus(splitVariant(variant).base)(variant, of);
      for (const child of children) {
        const rounds = results.get(child.variant)!;
        const s = summarize(rounds);
        console.log(`| ${concurrency} | ${child.variant} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} | ${s.serverCpuPerCall.toFixed(1)} | `
          + `${versusRaw(child.variant, (r) => r.calls / r.seconds)} | ${versusRaw(child.variant, (r) => r.serverCpuMicros / r.calls)} | `
          + `${versusPlaintext(child.variant, (r) => r.calls / r.seconds)} | ${versusPlaintext(child.variant, (r) => r.serverCpuMicros / r.calls)} |`);
      }
    }
  } finally {
    for (const child of children) child.client.close();
    for (const child of children) child.process.stdin!.end();
    await Promise.all(children.map((child) => new Promise((done) => (child.process.exitCode !== null ? done(undefined) : child.process.once('exit', done)))));
    if (compiledDir) rmSync(compiledDir, { recursive: true, force: true });
    await security?.destroy();
  }
}

if (args.has('serve')) await serve(args.get('serve')!);
else await main();

// Issue 12's memory benchmark, in one run. Each server variant runs in its own
// child process (through tsx, with --expose-gc), which answers on stdin with
// its RSS and V8 heap used after two full GCs:
//   raw    a bare grpc-js Server (callback handler)
//   tusk   TuskServer with its defaults on grpc-js
//   lean   TuskServer with its defaults on the lean transport ([server] transport = "http2")
// Measured per variant: the growth per 1,000 idle HTTP/2 connections (each
// connected and pinged, so the server holds its session), and per 1,000
// in-flight unary calls (10 connections x 100 streams whose handler waits until
// released; admission control is switched off for that part, since its default
// limit of 100 would shed most of them). Then heap after GC on the lean server
// over --calls unary calls driven by h2load, sampled every --sample-every calls;
// admission is off there too unless --admission on: on a busy machine its
// adaptive limit sheds some calls, and a shed call never runs the handler.
//   node --conditions=tusk-source --import tsx bench/transport-memory-bench.ts
//        [--servers raw,tusk,lean] [--calls 300000] [--sample-every 100000] [--admission on]
//        (--calls 1000000: the run)
import { spawn, type ChildProcess } from 'node:child_process';
import http2 from 'node:http2';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { StaticRegistry } from '../src/discovery/static-registry.js';
import { TuskServer } from '../src/server/tusk-server.js';
import { createLogger } from '../src/telemetry/logger.js';
import { EchoServiceBase, type EchoRequest, type EchoResponse } from '../test/helpers/echo-service.js';
import { rawCallStatus } from '../test/helpers/server-h2-client.js';
import { echoMethod, startRawEchoServer, type EchoAnswer } from './echo-servers.js';
import { grpcFrame, h2loadBatch } from './h2load-driver.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');

const IDLE_CONNECTIONS = 1_000;
const HELD_CONNECTIONS = 10;
const STREAMS_PER_CONNECTION = 100;
const HOLD = 'hold';

// ---------------------------------------------------------------- child: one server variant
interface Memory { readonly rss: number; readonly heapUsed: number }

async function serve(variant: string, admission: boolean): Promise<void> {
  const held: Array<() => void> = [];
  let handled = 0;
  const answer = async (request: EchoRequest): Promise<EchoResponse> => {
    if (request.text === HOLD) await new Promise<void>((release) => held.push(release));
    handled++;
    return { text: request.text, instance: variant };
  };
  const port = variant === 'raw' ? await startRawEchoServer(undefined, answer) : await startTuskServer(variant === 'lean', admission, answer);
  const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  reply({ address: `127.0.0.1:${port}` });
  createInterface({ input: process.stdin }).on('line', (command) => {
    if (command === 'memory') {
      global.gc!();
      global.gc!();
      const { rss, heapUsed } = process.memoryUsage();
      reply({ rss, heapUsed });
    } else if (command === 'held') {
      reply({ held: held.length });
    } else if (command === 'release') {
      for (const release of held.splice(0)) release();
      reply({ released: true });
    } else if (command === 'handled') {
      reply({ handled });
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

async function startTuskServer(lean: boolean, admission: boolean, answer: EchoAnswer): Promise<number> {
  class Echo extends EchoServiceBase {
    echo(request: EchoRequest): Promise<EchoResponse> { return answer(request); }
    create(request: EchoRequest): Promise<EchoResponse> { return answer(request); }
    async *countUp(): AsyncIterable<EchoResponse> { /* unused */ }
    async collect(): Promise<EchoResponse> { return { text: '', instance: 'unused' }; }
    async *chat(): AsyncIterable<EchoResponse> { /* unused */ }
  }
  const server = new TuskServer({
    host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, reflection: false,
    logger: createLogger({ level: 'warn', destination: process.stderr as never, pretty: false, env: {} }),
  });
  server.add(new Echo({ server: { ...(lean ? { transport: 'http2' } : {}), ...(admission ? {} : { overload: { enabled: false } }) } }));
  await server.start();
  return server.port;
}

// ---------------------------------------------------------------- parent: the load and the report
interface Child {
  readonly address: string;
  readonly process: ChildProcess;
  ask(command: string): Promise<Record<string, unknown>>;
}

async function spawnServer(variant: string, admission: boolean): Promise<Child> {
  const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--serve', variant, '--admission', admission ? 'on' : 'off'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && key !== 'TUSK_LOG_LEVEL')),
  });
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => waiting.shift()?.(JSON.parse(text) as Record<string, unknown>));
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} server did not answer`)), 60_000);
    waiting.push((line) => { clearTimeout(timer); resolve(line); });
  });
  const ready = await next();
  return {
    address: ready.address as string,
    process: child,
    ask: (command) => { const answer = next(); child.stdin!.write(`${command}\n`); return answer; },
  };
}

async function stopServer(child: Child): Promise<void> {
  child.process.stdin!.end();
  if (child.process.exitCode === null) await new Promise((done) => child.process.once('exit', done));
}

const memoryOf = async (child: Child): Promise<Memory> => (await child.ask('memory')) as unknown as Memory;

/** A connected HTTP/2 session whose SETTINGS and one ping the server has answered: it holds the session now. */
async function openSession(address: string): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`http://${address}`);
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
  session.on('error', () => undefined);
  // A ping sent before 'connect' is cancelled by node: only now does it prove the server read our SETTINGS.
  await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())));
  return session;
}

/** `count` sessions, 100 connecting at a time (the listen backlog stays small). */
async function openSessions(address: string, count: number): Promise<http2.ClientHttp2Session[]> {
  const sessions: http2.ClientHttp2Session[] = [];
  while (sessions.length < count) sessions.push(...(await Promise.all(Array.from({ length: Math.min(100, count - sessions.length) }, () => openSession(address)))));
  return sessions;
}

async function closeSessions(sessions: readonly http2.ClientHttp2Session[]): Promise<void> {
  await Promise.all(sessions.map((session) => new Promise<void>((done) => session.close(() => done()))));
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Growth { readonly base: Memory; readonly loaded: Memory }

/** A fresh child of `variant` (RSS never gives freed pages back, so each measurement gets its own), warmed by one call. */
async function measureGrowth(variant: string, load: (child: Child) => Promise<() => Promise<void>>): Promise<Growth> {
  const child = await spawnServer(variant, false);
  try {
    // One call first, so lazily built parts (codecs, the chain) are not counted as per-connection cost.
    const warm = await openSession(child.address);
    await rawCallStatus(warm, echoMethod.path, echoBody('warm-up'));
    await closeSessions([warm]);
    const base = await memoryOf(child);
    const unload = await load(child);
    const loaded = await memoryOf(child);
    await unload();
    return { base, loaded };
  } finally {
    await stopServer(child);
  }
}

async function idleConnections(child: Child): Promise<() => Promise<void>> {
  const sessions = await openSessions(child.address, IDLE_CONNECTIONS);
  return () => closeSessions(sessions);
}

async function heldStreams(child: Child): Promise<() => Promise<void>> {
  const sessions = await openSessions(child.address, HELD_CONNECTIONS);
  const calls = sessions.flatMap((session) => Array.from({ length: STREAMS_PER_CONNECTION }, () => rawCallStatus(session, echoMethod.path, echoBody(HOLD))));
  const expected = HELD_CONNECTIONS * STREAMS_PER_CONNECTION;
  await until(async () => (await child.ask('held')).held === expected, `${expected} held calls`);
  return async () => {
    await child.ask('release');
    const statuses = await Promise.all(calls);
    if (statuses.some((status) => status !== grpc.status.OK)) throw new Error(`held calls ended ${[...new Set(statuses)].join()}`);
    await closeSessions(sessions);
  };
}

const echoBody = (text: string) => grpcFrame(echoMethod.serializeRequest({ text }));

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Heap after GC on the lean server, every `every` calls up to `total`: flat if nothing a call leaves behind stays. */
async function heapOverCalls(total: number, every: number, admission: boolean): Promise<void> {
  const child = await spawnServer('lean', admission);
  try {
    const body = echoBody('hello benchmark');
    // 4 x 16 streams stays under admission's initial limit (with --admission on); on a busy machine its adaptive limit may still shed some.
    const batch = (requests: number) => h2loadBatch({ address: child.address, path: echoMethod.path, body, requests, connections: 4, streams: 16, inactivitySeconds: 10 }, 600_000);
    await batch(10_000); // warm-up: JIT, lazily built parts
    const handledAtStart = (await child.ask('handled')).handled as number;
    const start = await memoryOf(child);
    console.log('\n| calls so far | heap used after GC MB | RSS MB | seconds for the batch |');
    console.log('| ---: | ---: | ---: | ---: |');
    console.log(`| 0 (after 10k warm-up) | ${mb(start.heapUsed)} | ${mb(start.rss)} | |`);
    for (let done = 0; done < total;) {
      const requests = Math.min(every, total - done);
      const began = performance.now();
      const summary = await batch(requests);
      if (summary.succeeded !== requests || summary.errored > 0 || summary.timeout > 0) throw new Error(`h2load: not every call succeeded\n${summary.output}`);
      done += requests;
      const seconds = (performance.now() - began) / 1000;
      const memory = await memoryOf(child);
      console.log(`| ${done.toLocaleString('en-US')} | ${mb(memory.heapUsed)} | ${mb(memory.rss)} | ${seconds.toFixed(1)} |`);
    }
    // h2load counts a shed call (UNAVAILABLE in a 200 response) as succeeded: the handler's count tells them apart.
    const handled = ((await child.ask('handled')).handled as number) - handledAtStart;
    console.log(`h2load: 4 connections x 16 streams; the handler ran for ${handled.toLocaleString('en-US')} of the ${total.toLocaleString('en-US')} calls`
      + `${handled < total ? ', admission shed the others (UNAVAILABLE)' : ''}`);
  } finally {
    await stopServer(child);
  }
}

async function main(): Promise<void> {
  const servers = (args.get('servers') ?? 'raw,tusk,lean').split(',');
  const total = Number(args.get('calls') ?? 300_000);
  const every = Number(args.get('sample-every') ?? 100_000);
  console.log(`node ${process.version}; servers through tsx, each in its own process, memory read after two global.gc() calls`);
  const rows: Array<{ variant: string; idle: Growth; streams: Growth }> = [];
  for (const variant of servers) rows.push({ variant, idle: await measureGrowth(variant, idleConnections), streams: await measureGrowth(variant, heldStreams) });
  const growth = ({ base, loaded }: Growth) => `${mb(loaded.heapUsed - base.heapUsed)} | ${mb(loaded.rss - base.rss)}`;
  console.log('\n| server | base heap MB | base RSS MB | heap per 1,000 idle connections MB | RSS per 1,000 idle connections MB | heap per 1,000 in-flight calls MB | RSS per 1,000 in-flight calls MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { variant, idle, streams } of rows) console.log(`| ${variant} | ${mb(idle.base.heapUsed)} | ${mb(idle.base.rss)} | ${growth(idle)} | ${growth(streams)} |`);
  if (total > 0) await heapOverCalls(total, every, args.get('admission') === 'on');
}

if (args.has('serve')) await serve(args.get('serve')!, args.get('admission') === 'on');
else await main();

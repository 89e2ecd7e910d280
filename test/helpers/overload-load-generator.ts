// Child process: a load generator for the overload tests and benchmark, apart
// from the server so its CPU does not compete inside the server's event loop.
// Reads one JSON command per stdin line, answers one JSON LoadResult line:
//   {"op":"closed","address":..,"concurrency":N,"durationMs":..,"deadlineMs":..}   capacity: N calls always in flight
//   {"op":"open","address":..,"rate":R,"durationMs":..,"deadlineMs":..,"mix":[..]} R calls/s whatever the answers
// Both are bounded in time (durationMs, then at most deadlineMs + 1 s for the stragglers) and count (MAX_OUTSTANDING).
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { decodeStatusDetails } from '../../src/status/status-details.js';

export interface LoadClass {
  /** "echo" (priority default) or "create" (critical in the overload server's descriptor). */
  readonly method: 'echo' | 'create';
  /** Sent as the tusk-priority header (the overload server trusts it). */
  readonly priority?: string;
  readonly weight: number;
  readonly label: string;
}

export type LoadCommand =
  | { readonly op: 'closed'; readonly address: string; readonly concurrency: number; readonly durationMs: number; readonly deadlineMs: number }
  | { readonly op: 'open'; readonly address: string; readonly rate: number; readonly durationMs: number; readonly deadlineMs: number; readonly mix?: readonly LoadClass[] };

export interface ClassResult { sent: number; ok: number; shed: number; failed: number }

export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  /** UNAVAILABLE with the OVERLOADED ErrorInfo. */
  readonly shed: number;
  /** DEADLINE_EXCEEDED with DEADLINE_TOO_SHORT: refused at admission. */
  readonly tooShort: number;
  /** DEADLINE_EXCEEDED any other way: the call ran out of time. */
  readonly expired: number;
  readonly other: number;
  readonly elapsedMs: number;
  /** Successful calls per second of the run. */
  readonly goodput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly byClass: Readonly<Record<string, ClassResult>>;
  /** Shed calls by the second they were sent in. */
  readonly shedBySecond: readonly number[];
  readonly sentBySecond: readonly number[];
}

const MAX_OUTSTANDING = 4_000;
const TICK_MS = 5;
const encoder = new TextEncoder();
const serialize = (value: unknown) => Buffer.from(encoder.encode(JSON.stringify(value)));
const deserialize = (bytes: Buffer): unknown => JSON.parse(bytes.toString());
const PATHS = { echo: '/test.v1.EchoService/Echo', create: '/test.v1.EchoService/Create' } as const;
const DEFAULT_MIX: readonly LoadClass[] = [{ method: 'echo', weight: 1, label: 'default' }];

const clients = new Map<string, grpc.Client>();
function clientFor(address: string): grpc.Client {
  let client = clients.get(address);
  if (!client) clients.set(address, (client = new grpc.Client(address, grpc.credentials.createInsecure())));
  return client;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function isShed(error: grpc.ServiceError, reason: string): boolean {
  const bytes = error.metadata?.get('grpc-status-details-bin')[0];
  return bytes instanceof Buffer && decodeStatusDetails(bytes)?.details?.errorInfo?.reason === reason;
}

async function run(command: LoadCommand): Promise<LoadResult> {
  const client = clientFor(command.address);
  const mix = command.op === 'open' ? command.mix ?? DEFAULT_MIX : DEFAULT_MIX;
  const totalWeight = mix.reduce((sum, item) => sum + item.weight, 0);
  const metadataOf = mix.map((item) => {
    const metadata = new grpc.Metadata();
    if (item.priority) metadata.set('tusk-priority', item.priority);
    return metadata;
  });
  const latencies: number[] = [];
  const byClass: Record<string, ClassResult> = Object.fromEntries(mix.map((item) => [item.label, { sent: 0, ok: 0, shed: 0, failed: 0 }]));
  const counts = { sent: 0, ok: 0, shed: 0, tooShort: 0, expired: 0, other: 0 };
  const shedBySecond: number[] = [];
  const sentBySecond: number[] = [];
  const started = performance.now();
  let outstanding = 0;
  let picked = 0;
  let allDone: () => void = () => undefined;

  const send = (onDone?: () => void) => {
    // Weighted round robin over the mix, deterministic.
    let slot = (picked++ * 0.618034) % 1 * totalWeight;
    let index = 0;
    while (slot >= mix[index]!.weight && index < mix.length - 1) slot -= mix[index++]!.weight;
    const item = mix[index]!;
    const second = Math.floor((performance.now() - started) / 1000);
    sentBySecond[second] = (sentBySecond[second] ?? 0) + 1;
    const stats = byClass[item.label]!;
    counts.sent++;
    stats.sent++;
    outstanding++;
    const callStart = performance.now();
    client.makeUnaryRequest(PATHS[item.method], serialize, deserialize, { text: 'load' }, metadataOf[index]!, { deadline: Date.now() + command.deadlineMs }, (error) => {
      outstanding--;
      if (!error) {
        counts.ok++;
        stats.ok++;
        latencies.push(performance.now() - callStart);
      } else if (error.code === grpc.status.UNAVAILABLE && isShed(error, 'OVERLOADED')) {
        counts.shed++;
        stats.shed++;
        shedBySecond[second] = (shedBySecond[second] ?? 0) + 1;
      } else {
        stats.failed++;
        if (error.code === grpc.status.DEADLINE_EXCEEDED) counts[isShed(error, 'DEADLINE_TOO_SHORT') ? 'tooShort' : 'expired']++;
        else counts.other++;
      }
      onDone?.();
      if (outstanding === 0) allDone();
    });
  };

  const endAt = started + command.durationMs;
  if (command.op === 'closed') {
    const loop = () => {
      if (performance.now() < endAt) send(loop);
    };
    for (let i = 0; i < command.concurrency; i++) send(loop);
  } else {
    let owed = 0;
    await new Promise<void>((resolve) => {
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        owed += ((now - last) * command.rate) / 1000;
        last = now;
        for (; owed >= 1; owed--) if (outstanding < MAX_OUTSTANDING) send();
        if (now >= endAt) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
  }
  // Stragglers: every call has a deadline, so this ends; bounded anyway.
  await new Promise<void>((resolve) => {
    allDone = resolve;
    if (outstanding === 0) resolve();
    setTimeout(resolve, command.deadlineMs + 1_000).unref();
  });
  const elapsedMs = Math.max(command.durationMs, 1);
  latencies.sort((a, b) => a - b);
  const fill = (series: number[]) => Array.from({ length: series.length }, (_, i) => series[i] ?? 0);
  return {
    ...counts, elapsedMs, goodput: (counts.ok * 1000) / elapsedMs, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
    byClass, shedBySecond: fill(shedBySecond), sentBySecond: fill(sentBySecond),
  };
}

createInterface({ input: process.stdin }).on('line', (line) => {
  run(JSON.parse(line) as LoadCommand).then(
    (result) => process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`),
    (error: unknown) => process.stdout.write(`${JSON.stringify({ event: 'error', message: String(error) })}\n`),
  );
});
process.stdin.on('end', () => {
  for (const client of clients.values()) client.close();
  process.exit(0);
});
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);

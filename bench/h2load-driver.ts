// h2load (Debian's nghttp2-client) as the load for the server benchmark: a C
// client over several HTTP/2 connections saturates the server, where one Node
// grpc-js client caps it. Every request is the same unary gRPC call.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './closed-loop.js';
import { pinnedCommand } from '../test/helpers/pinned-command.js';

export interface H2loadLoad {
  /** "127.0.0.1:port" */
  readonly address: string;
  /** "/echo.v1.EchoService/Echo" */
  readonly path: string;
  /** The serialized request message (without the gRPC frame header). */
  readonly message: Uint8Array;
  readonly connections: number;
  /** Streams in flight per connection. */
  readonly streams: number;
  readonly seconds: number;
  /** https:// instead of http:// (h2load negotiates h2 by ALPN; it does not verify the certificate). */
  readonly tls?: boolean;
  /** Extra request headers, "name: value" (e.g. the bearer token). */
  readonly headers?: readonly string[];
  /** Runs h2load on this CPU only (taskset), so it never shares a core with the server it loads. */
  readonly cpu?: number;
}

/** One length-prefixed gRPC message: flag byte 0 (uncompressed), 4-byte big-endian length, the bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

function run(args: readonly string[], timeoutMs: number, cpu?: number): Promise<string> {
  const [command, argv] = pinnedCommand('h2load', args, cpu);
  return new Promise((resolve, reject) =>
    execFile(command, argv, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => (error ? reject(new Error(`h2load: ${error.message}\n${stderr}`)) : resolve(stdout))));
}

/** Runs h2load for `seconds` against one server, reading that server's CPU counter around it. */
export async function h2loadRound(load: H2loadLoad, serverCpuMicros: () => Promise<number>): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'h2load-'));
  try {
    const body = join(dir, 'request.bin');
    const log = join(dir, 'requests.tsv');
    writeFileSync(body, grpcFrame(load.message));
    const cpuBefore = await serverCpuMicros();
    const output = await run([
      '-c', String(load.connections), '-m', String(load.streams), '-D', String(load.seconds), '-d', body, `--log-file=${log}`,
      '-H', 'content-type: application/grpc', '-H', 'te: trailers', ...(load.headers ?? []).flatMap((header) => ['-H', header]),
      `${load.tls ? 'https' : 'http'}://${load.address}${load.path}`,
    ], (load.seconds + 30) * 1000, load.cpu);
    const cpuAfter = await serverCpuMicros();
    return parse(output, readFileSync(log, 'utf8'), cpuAfter - cpuBefore);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(output: string, requestLog: string, serverCpuMicros: number): LoadResult {
  const finished = /finished in ([\d.]+)(m?s), ([\d.]+) req\/s/.exec(output);
  const requests = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(output);
  if (!finished || !requests) throw new Error(`h2load printed no summary:\n${output}`);
  if (Number(requests[2]) > 0 || Number(requests[3]) > 0) throw new Error(`h2load saw failed requests:\n${output}`);
  const seconds = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
  const calls = Number(requests[1]);
  return { calls, seconds, latencies: requestLatenciesMs(requestLog), serverCpuMicros };
}

/** h2load's --log-file: one row per request, its third column the µs until the end of its response. */
function requestLatenciesMs(requestLog: string): number[] {
  const latencies: number[] = [];
  for (const row of requestLog.split('\n')) {
    const micros = Number(row.split('\t')[2]);
    if (Number.isFinite(micros) && row !== '') latencies.push(micros / 1000);
  }
  return latencies;
}

/** A bounded h2load run: `requests` calls in all, then h2load exits (the conformance test and the memory bench). */
export interface H2loadBatch {
  readonly address: string;
  readonly path: string;
  /** The whole request body as sent, length prefix included: a test may send a malformed one. */
  readonly body: Uint8Array;
  readonly requests: number;
  readonly connections: number;
  readonly streams: number;
  /** h2load's own limit on a silent connection, so a stuck server ends the run as errors instead of hanging it. */
  readonly inactivitySeconds: number;
}

/** h2load's summary of a batch, every counter it prints. */
export interface H2loadSummary {
  readonly total: number;
  readonly started: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly errored: number;
  readonly timeout: number;
  readonly status2xx: number;
  readonly status3xx: number;
  readonly status4xx: number;
  readonly status5xx: number;
  readonly output: string;
}

export async function h2loadBatch(batch: H2loadBatch, killAfterMs = 60_000): Promise<H2loadSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'h2load-'));
  try {
    const body = join(dir, 'request.bin');
    writeFileSync(body, batch.body);
    const output = await run([
      '-n', String(batch.requests), '-c', String(batch.connections), '-m', String(batch.streams), '-d', body,
      '-N', `${batch.inactivitySeconds}s`, '-H', 'content-type: application/grpc', '-H', 'te: trailers',
      `http://${batch.address}${batch.path}`,
    ], killAfterMs);
    const requests = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(output);
    const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(output);
    if (!requests || !codes) throw new Error(`h2load printed no summary:\n${output}`);
    const [total, started, done, succeeded, failed, errored, timeout] = requests.slice(1).map(Number) as [number, number, number, number, number, number, number];
    const [status2xx, status3xx, status4xx, status5xx] = codes.slice(1).map(Number) as [number, number, number, number];
    return { total, started, done, succeeded, failed, errored, timeout, status2xx, status3xx, status4xx, status5xx, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
